import os

# NumPy asks the kernel for transparent huge pages for every array of 4 MB or more. Where the
# kernel's policy is "madvise" with direct compaction (Debian's default, and this machine's),
# each new large array then waits for the kernel to assemble huge pages: a million-referral
# extract spent 0.2 s more in the kernel than with plain pages (2.9 s against 2.7 s for the
# whole ingest_extract), and our arrays are read once, in passes, where huge pages do not pay
# that back. Read by NumPy when it is first imported, which is after this package in every
# process of ours (manage.py, gunicorn, Celery); an operator's own setting wins.
# https://numpy.org/doc/stable/reference/global_state.html
os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

from .celery import app as celery_app

__all__ = ("celery_app",)

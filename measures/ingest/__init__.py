"""Parse informatics extracts (CSV, .xlsx, .xls) into validated weekly or monthly observations.

Pure Python and pandas: no Django import, so it can run in a Celery worker or a test without
settings. The Django side stores nothing unless ``ParseResult.ok``.

Choices worth knowing:
- Dates are always read day first (06/01/2025 is 6 January).
- Weekly periods are the Monday that starts the week: "week commencing" dates go to the
  nearest Monday (a Sunday-start week of 05/01/2025 is 06/01/2025); "week ending" dates go
  to the Monday six days before (ending Sunday 12/01/2025 -> 06/01/2025); plain dates go to
  the Monday of their ISO week. Monthly periods are the 1st of the month.
- A measure alias that maps to ``IGNORE`` ("") skips that label silently (e.g. "Target").
- Rows with problems are left out of ``observations``; every problem is listed, capped at
  ``ParseOptions.max_problems`` plus a final "and N more".
- Record-level referral extracts: see ``records.py`` for how each measure is derived.
"""

from .core import parse_extract
from .model import IGNORE, ParseOptions, ParseResult, Problem, UnmappedLabel
from .text import normalise_label

__all__ = [
    "IGNORE",
    "ParseOptions",
    "ParseResult",
    "Problem",
    "UnmappedLabel",
    "normalise_label",
    "parse_extract",
]

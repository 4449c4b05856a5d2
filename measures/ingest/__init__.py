"""Parse informatics extracts (CSV, .xlsx, .xls) into validated weekly or monthly observations.

Pure Python and pandas: no Django import, so it can run in a Celery worker or a test without
settings. The Django side stores nothing unless ``ParseResult.ok``.
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

"""Serve the plotly.js bundled in the plotly package as static/vendor/plotly/plotly.min.js."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
PREFIX = "vendor/plotly"
FILES = ("plotly.min.js",)


class PlotlyJsFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PLOTLY_DIR))
        self.storage.prefix = PREFIX  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        for name in FILES:
            if path == f"{PREFIX}/{name}":
                match = str(PLOTLY_DIR / name)
                return [match] if find_all or kwargs.get("all") else match
        return [] if find_all or kwargs.get("all") else ""

    def list(self, ignore_patterns: Any) -> Any:
        for name in FILES:
            yield name, self.storage

"""Demo content for the toolkit, one module per family of tools."""

from __future__ import annotations

from typing import Any

from .analysis import demo as analysis_demo


def load(world: Any) -> None:
    analysis_demo.load(world)

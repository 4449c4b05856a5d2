"""Demo content for the toolkit, one module per family of tools."""

from __future__ import annotations

from typing import Any

from .analysis import demo as analysis_demo
from .engagement import demo as engagement_demo
from .improvement import demo as improvement_demo
from .learning import demo as learning_demo


def load(world: Any) -> None:
    analysis_demo.load(world)
    improvement_demo.load(world)
    engagement_demo.load(world)
    learning_demo.load(world)

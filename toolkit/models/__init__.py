"""Toolkit models, one module per family of tools; Django finds them all through this package."""

from . import analysis  # noqa: F401  (fishbone, Five Whys, process map, SWOT, priority matrix)
from .base import ItemVersion, ToolkitItem

__all__ = ["ItemVersion", "ToolkitItem"]

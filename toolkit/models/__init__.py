"""Toolkit models, one module per family of tools; Django finds them all through this package."""

from .base import ItemVersion, ToolkitItem

__all__ = ["ItemVersion", "ToolkitItem"]

"""Toolkit models, one module per family of tools; Django finds them all through this package."""

from . import analysis  # noqa: F401  (fishbone, Five Whys, process map, SWOT, priority matrix)
from .base import ItemVersion, ToolkitItem
from .engagement import CommunicationPlan, PlannedMessage  # noqa: F401
from .improvement import (  # noqa: F401
    DriverDiagram,
    DriverNode,
    PdsaCycle,
    PdsaTask,
    Reflection,
    ReflectionFactor,
    SustainabilityAssessment,
    SustainabilityFactor,
    SustainabilityLevel,
    SustainabilityPlan,
    SustainabilityRating,
)
from .learning import Story  # noqa: F401

__all__ = ["ItemVersion", "ToolkitItem"]

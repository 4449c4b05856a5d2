"""The eight THRIVE principles, used to tag barriers and facilitators in reflections.

A constant list for now: the phases app is adding `phases.Principle` (the principles as data,
with room for a ninth); once both have landed, `ReflectionFactor.principle` should become a
foreign key to it and this module can go.
"""

from __future__ import annotations

from django.db import models


class Principle(models.TextChoices):
    COMMON_LANGUAGE = "common_language", "Common Language"
    NEEDS_LED = "needs_led", "Needs-Led"
    SHARED_DECISION_MAKING = "shared_decision_making", "Shared Decision Making"
    PROACTIVE_PREVENTION = "proactive_prevention", "Proactive Prevention and Promotion"
    PARTNERSHIP_WORKING = "partnership_working", "Partnership Working"
    OUTCOME_INFORMED = "outcome_informed", "Outcome-Informed"
    REDUCING_STIGMA = "reducing_stigma", "Reducing Stigma"
    ACCESSIBILITY = "accessibility", "Accessibility"

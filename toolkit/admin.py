"""Admin of the toolkit: each family of tools registers its own models."""

from .improvement import admin as improvement_admin  # noqa: F401

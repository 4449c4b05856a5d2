"""Implementation stories as a toolkit.tools spec."""

from __future__ import annotations

from typing import Any

from django.forms import BaseForm

from toolkit import services as toolkit_services
from toolkit.models import Story
from toolkit.tools import Tool, renamed

from . import forms, services


def story_context(request: Any, story: Story, bound: dict[str, BaseForm]) -> dict[str, Any]:
    return {"story": story, "principles": list(story.principles.all())}


def story_tags(story: Story) -> list[tuple[str, str]]:
    return [("Good THRIVE-like practice", "green")] if story.celebrate else []


TOOLS: tuple[Tool, ...] = (
    Tool(
        slug="story",
        name="Implementation story",
        plural="Implementation stories",
        description="What happened when the site put THRIVE into practice, told for other "
        "sites. Mark good THRIVE-like practice to celebrate it, and share stories with the "
        "community of practice.",
        start_name="an implementation story",
        step_words=("story", "implementation story", "implementation stories"),
        model=Story,
        form=forms.StoryForm,
        create=services.story_create,
        update=renamed(services.story_update, item="story"),
        delete=toolkit_services.item_delete,
        context=story_context,
        detail_template="toolkit/story_detail.html",
        print_template="toolkit/story_print.html",
        prefetch=("principles",),
        list_tags=story_tags,
    ),
)

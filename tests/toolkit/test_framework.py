"""Every tool described in toolkit.tools gets the same pages: each answers, whole and as the
fragment htmx asks for, for a reader of the site."""

from __future__ import annotations

import pytest
from django.urls import reverse

from toolkit.tools import tools

from .url_kwargs import BUILDERS

pytestmark = pytest.mark.django_db


def test_every_tools_pages_answer_whole_and_for_htmx(world, client_as):
    # One world for every tool (a world costs seconds to build): a failure names its tool.
    for tool in tools().values():
        _check_pages(world, client_as, tool)


def _check_pages(world, client_as, tool):
    item_id = BUILDERS[tool.kwarg](world.a)
    base = {"site_code": world.a.site.code, "project_id": world.a.project.pk}
    one = {**base, tool.kwarg: item_id}
    reader = client_as(world.a.stakeholder)
    assert reader.get(reverse(tool.url("list"), kwargs=base)).status_code == 200
    for role in ("detail", "print", "history"):
        assert reader.get(reverse(tool.url(role), kwargs=one)).status_code == 200, (tool, role)
    detail = reverse(tool.url("detail"), kwargs=one)
    fragment = reader.get(detail, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200, tool
    assert ("<html" in fragment.content.decode()) == (not tool.fragment), tool
    editor = client_as(world.a.pm)
    for role in ("create",):
        assert editor.get(reverse(tool.url(role), kwargs=base)).status_code == 200, tool
    for role in ("edit", "delete"):
        assert editor.get(reverse(tool.url(role), kwargs=one)).status_code == 200, (tool, role)

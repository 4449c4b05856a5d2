"""The demo gives every project one of each analysis tool, with CAMHS content and history."""

from __future__ import annotations

import pytest

from projects.demo import demo_load
from toolkit.history import item_versions
from toolkit.models.analysis import Fishbone, FiveWhys, PriorityMatrix, ProcessMap, Swot

pytestmark = pytest.mark.django_db


def test_every_demo_project_has_each_analysis_tool_with_history():
    world = demo_load(apps=("phases", "toolkit"))
    for project in world.projects.values():
        for model in (Fishbone, FiveWhys, ProcessMap, Swot, PriorityMatrix):
            item = model.objects.filter(project=project).first()
            assert item is not None, (project, model)
            assert item_versions(item=item).count() >= 2
        chain = FiveWhys.objects.get(project=project)
        assert chain.is_complete
        assert chain.source_cause.category.fishbone.project == project
        assert PriorityMatrix.objects.filter(project=project, method="weighted").exists()

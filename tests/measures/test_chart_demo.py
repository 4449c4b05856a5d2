"""The demo shows charts as soon as it is loaded, with the PDSA cycles of the toolkit demo."""

from __future__ import annotations

import datetime as dt

import pytest

from measures.models import ChartState, MeasureShare
from projects.demo import demo_load

pytestmark = pytest.mark.django_db


def test_the_demo_builds_every_sites_charts_with_northgates_target_and_cycles(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        demo_load(today=dt.date(2026, 11, 26), apps=("phases", "measures", "toolkit"))
    wait = ChartState.objects.get(site__code="NGT", measure__code="median_wait_days")
    assert wait.summary["target"] == 28
    assert wait.summary["assurance_icon"] or any(
        "target of 28" in s for s in wait.summary["sentences"]
    )
    assert not wait.is_stale
    pdsa = [a for a in wait.summary["annotations"] if a["kind"] == "pdsa"]
    assert len(pdsa) == 3
    assert any("(Adopt)" in a["text"] for a in pdsa)
    for code in ("NGT", "RVS", "EBK", "WFD"):
        assert ChartState.objects.filter(site__code=code).count() >= 5, code
    assert MeasureShare.objects.filter(site__code="NGT").exists()

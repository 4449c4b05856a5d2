"""Figures per group from record-level extracts: reading, refusing, storing, the API."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from measures.ingest import parse_extract
from measures.ingest.model import ParseOptions
from measures.models import DataPoint, GroupedSeries, Upload
from projects import services

from .test_api import bearer

DERIVED = [
    "referrals_received",
    "referrals_accepted",
    "referrals_signposted",
    "referrals_rejected",
    "first_contacts",
    "median_wait_days",
    "closures",
]
HEADER = (
    "site,referral_id,referral_date,outcome,first_contact_date,ethnic_category,imd_decile,"
    "sex,age,thrive_grouping,referral_source"
)
ROWS = [
    "AAA,1,05/01/2026,accepted,20/01/2026,A,1,1,5,Getting Help,GP",
    "AAA,2,06/01/2026,signposted,,H,2,2,11,Getting More Help,School",
    "AAA,3,07/01/2026,accepted,21/01/2026,B,10,F,17,,Self",
    "AAA,4,14/01/2026,rejected,,Z,,M,25,Thriving,",
    "AAA,5,14/01/2026,accepted,19/01/2026,,9,M,0,Getting Help,GP",
]


def records(rows: list[str] = ROWS) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def options() -> ParseOptions:
    return ParseOptions(
        site_aliases={"aaa": "AAA"},
        measure_aliases={d: d for d in DERIVED},
        today=dt.date(2026, 3, 1),
    )


def grouped(result, measure: str, by: str) -> dict[tuple[str, str], float]:
    g = result.grouped
    g = g[(g["measure"] == measure) & (g["by"] == by)]
    return {
        (f"{p:%Y-%m-%d}", grp): v
        for p, grp, v in zip(g["period"], g["group"], g["value"], strict=True)
    }


def test_deciles_group_into_quintiles_with_blank_not_known():
    result = parse_extract(records().encode(), "r.csv", options())
    assert result.ok, result.problems
    got = grouped(result, "referrals_received", "imd_quintile")
    assert got[("2026-01-05", "1")] == 2  # deciles 1 and 2
    assert got[("2026-01-05", "5")] == 1  # decile 10
    assert got[("2026-01-12", "5")] == 1  # decile 9
    assert got[("2026-01-12", "Not known")] == 1
    assert got[("2026-01-12", "1")] == 0  # zero-filled: a real zero


def test_ethnic_sex_age_thrive_and_source_labels():
    result = parse_extract(records().encode(), "r.csv", options())
    labels = {
        by: set(result.grouped[result.grouped["by"] == by]["group"])
        for by in ("ethnic_group", "sex", "age_band", "thrive_grouping", "referral_source")
    }
    assert labels["ethnic_group"] == {"White", "Asian", "Not stated"}
    assert labels["sex"] == {"Male", "Female"}
    assert labels["age_band"] == {"0-4", "5-10", "11-15", "16-17", "18-25"}
    assert labels["thrive_grouping"] == {
        "Getting Help",
        "Getting More Help",
        "Thriving",
        "Not known",
    }
    assert labels["referral_source"] == {"GP", "School", "Self", "Not known"}


def test_group_median_wait_is_by_week_of_first_contact():
    result = parse_extract(records().encode(), "r.csv", options())
    got = grouped(result, "median_wait_days", "ethnic_group")
    # week of 19 Jan: referral 1 (White, 15 days), 3 (White, 14 days), 5 (Not stated, 5 days)
    assert got == {("2026-01-19", "White"): 14.5, ("2026-01-19", "Not stated"): 5.0}


def test_groups_add_up_to_the_ungrouped_count():
    result = parse_extract(records().encode(), "r.csv", options())
    obs = result.observations
    whole = obs[obs["measure"] == "referrals_received"].set_index("period")["value"]
    for by in ("ethnic_group", "imd_quintile", "sex", "age_band"):
        g = result.grouped
        g = g[(g["measure"] == "referrals_received") & (g["by"] == by)]
        assert g.groupby("period")["value"].sum().to_dict() == whole.to_dict()


def test_extract_without_grouping_columns_has_no_grouped_figures():
    plain = "site,referral_date,outcome\nAAA,05/01/2026,accepted\n"
    result = parse_extract(plain.encode(), "r.csv", options())
    assert result.ok
    assert result.grouped.empty


@pytest.mark.parametrize(
    ("column", "bad", "allowed"),
    [
        ("ethnic_category", "Q", "ethnic category codes A, B, C"),
        ("imd_decile", "11", "a whole number from 1 (most deprived) to 10"),
        ("age", "7.5", "a whole number of years from 0 to 25"),
        ("age", "26", "a whole number of years from 0 to 25"),
        ("sex", "Y", "1 or M (male)"),
        ("thrive_grouping", "Severe", "Getting More Help"),
    ],
)
def test_bad_group_code_is_refused_with_row_column_and_allowed_values(column, bad, allowed):
    cols = HEADER.split(",")
    cells = ROWS[2].split(",")
    cells[cols.index(column)] = bad
    rows = [*ROWS[:2], ",".join(cells), *ROWS[3:]]
    result = parse_extract(records(rows).encode(), "r.csv", options())
    [problem] = result.problems
    assert (problem.file, problem.row, problem.column) == ("r.csv", 4, column)
    assert f"'{bad}'" in problem.reason
    assert allowed in problem.reason


def test_a_referral_source_not_on_the_list_counts_as_other_and_is_named():
    """Referral sources have no standard list: an extract that read before the equity view
    still reads, its other sources counted under Other and named in a note."""
    cols = HEADER.split(",")
    cells = ROWS[2].split(",")
    cells[cols.index("referral_source")] = "Paediatrician"
    rows = [*ROWS[:2], ",".join(cells), *ROWS[3:]]
    result = parse_extract(records(rows).encode(), "r.csv", options())
    assert result.ok, result.problems
    assert any("referral sources counted as Other: Paediatrician" in n for n in result.notes)
    sources = result.grouped[result.grouped["by"] == "referral_source"]
    assert "Other" in set(sources["group"])


@pytest.mark.django_db
def test_bad_group_code_stores_nothing(world, send):
    upload = send(
        world.a.info, world.a.site, records([*ROWS, "AAA,9,14/01/2026,accepted,,Q,1,1,5,,"])
    )
    assert upload.status == Upload.Status.FAILED
    assert "row 7, column 'ethnic_category'" in upload.problems[0]["message"]
    assert not DataPoint.objects.exists()
    assert not GroupedSeries.objects.exists()


def _figures(world, send) -> Upload:
    upload = send(world.a.info, world.a.site, records(), source="demo")
    assert upload.status == Upload.Status.DONE, upload.problems
    return upload


@pytest.mark.django_db
def test_grouped_series_api_shape(world, send, client):
    _figures(world, send)
    response = client.get(
        "/api/v1/sites/AAA/measures/referrals_received/series?by=imd_quintile",
        headers=bearer(world.a.pm),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["by"] == "imd_quintile"
    assert list(body["groups"]) == ["1", "5", "Not known"]
    assert body["groups"]["1"]["points"] == [
        {"week": "2026-01-05", "value": 2.0},
        {"week": "2026-01-12", "value": 0.0},
    ]


@pytest.mark.django_db
def test_grouped_series_hides_small_numbers_from_stakeholders(world, send, client):
    _figures(world, send)
    url = "/api/v1/sites/AAA/measures/referrals_received/series?by=ethnic_group"
    seen = client.get(url, headers=bearer(world.a.stakeholder)).json()
    assert seen["groups"]["White"]["points"][0] == {
        "week": "2026-01-05",
        "value": None,
        "suppressed": "fewer than 5",
    }
    assert seen["groups"]["Asian"]["points"][1] == {"week": "2026-01-12", "value": 0.0}
    for user in (world.a.pm, world.a.info, world.lead):
        body = client.get(url, headers=bearer(user)).json()
        assert body["groups"]["White"]["points"][0] == {"week": "2026-01-05", "value": 2.0}


@pytest.mark.django_db
def test_grouped_median_hidden_when_few_children_behind_it(world, send, client):
    _figures(world, send)
    url = "/api/v1/sites/AAA/measures/median_wait_days/series?by=ethnic_group"
    body = client.get(url, headers=bearer(world.a.stakeholder)).json()
    assert body["groups"]["White"]["points"][0]["suppressed"] == "fewer than 5"


@pytest.mark.django_db
def test_grouped_series_refuses_unknown_grouping(world, client):
    response = client.get(
        "/api/v1/sites/AAA/measures/referrals_received/series?by=postcode",
        headers=bearer(world.a.pm),
    )
    assert response.status_code == 400
    assert "imd_quintile" in response.json()["detail"]


@pytest.mark.django_db
def test_a_later_extract_replaces_grouped_figures_and_undo_removes_them(world, send):
    from measures import services

    first = _figures(world, send)
    assert {u for s in GroupedSeries.objects.all() for u in s.uploads} == {first.pk}
    again = send(world.a.info, world.a.site, records(ROWS[:3]), source="demo")
    assert again.status == Upload.Status.DONE
    figures = {
        (s.measure.code, s.by, s.group, period): upload
        for s in GroupedSeries.objects.select_related("measure")
        for period, upload in zip(s.periods, s.uploads, strict=True)
    }
    # The later extract's weeks run from 5 to 19 January (its first contacts): it states
    # every group of them, so nothing of the first extract is left in those weeks.
    assert set(figures.values()) == {again.pk}
    assert figures[("referrals_received", "sex", "Male", "2026-01-05")] == again.pk
    assert ("referrals_received", "sex", "Male", "2026-01-12") not in figures
    services.upload_undo(upload=again, user=None)
    assert not GroupedSeries.objects.exists()


@pytest.mark.django_db
def test_equity_page_and_export_hide_small_numbers_from_stakeholders_only(world, send, client_as):
    _figures(world, send)
    page = "/sites/AAA/measures/referrals_received/equity/?by=ethnic_group"
    data = "/sites/AAA/measures/referrals_received/equity/data/?by=ethnic_group"
    stakeholder = client_as(world.a.stakeholder)
    body = stakeholder.get(page).content.decode()
    assert "Referrals received by ethnic group" in body
    assert "with fewer than 5, not plotted" in body
    assert '"2026-01-05","White","fewer than 5"' in stakeholder.get(data).content.decode()
    manager = client_as(world.a.pm)
    assert "not plotted" not in manager.get(page).content.decode()
    assert '"2026-01-05","White",2.0' in manager.get(data).content.decode()
    assert client_as(world.b.pm).get(page).status_code in (403, 404)


def _widening_gap() -> str:
    """Quintile 1 waits as long as quintile 5 for 20 weeks, then 40 days longer."""
    rows = []
    start = dt.date(2025, 6, 2)
    n = 0
    for week in range(28):
        for decile, extra in ((1, 40 if week >= 20 else 0), (10, 0)):
            for k in range(6):
                n += 1
                referred = start + dt.timedelta(weeks=week)
                wait = 20 + (k % 3) + extra
                contact = referred + dt.timedelta(days=wait)
                rows.append(
                    f"AAA,{n},{referred:%d/%m/%Y},accepted,{contact:%d/%m/%Y},A,{decile},1,9,,GP"
                )
    return records(rows)


@pytest.mark.django_db
def test_site_dashboard_flags_a_gap_of_concern_and_programme_compares_it(world, send, client_as):
    upload = send(world.a.info, world.a.site, _widening_gap(), source="demo")
    assert upload.status == Upload.Status.DONE, upload.problems
    dashboard = client_as(world.a.pm).get(world.a.site.get_absolute_url()).content.decode()
    assert "A gap between groups is getting worse" in dashboard
    assert "Median wait to first contact (days) by deprivation (IMD quintile)" in dashboard
    board = client_as(world.lead).get("/programme/").content.decode()
    assert 'href="/programme/measures/median_wait_days/equity/"' in board
    compare = client_as(world.lead).get(
        "/programme/measures/median_wait_days/equity/?by=imd_quintile"
    )
    assert compare.status_code == 200
    assert "The gap in median wait to first contact (days) between" in compare.content.decode()


@pytest.mark.django_db
def test_the_gap_flag_is_built_by_the_worker_and_follows_figures_per_group_alone(
    world, send, client_as, django_capture_on_commit_callbacks
):
    """The dashboard reads the flag from the chart's glance, built with the chart; a record-
    level extract that changes only who waited (the same waits, the same weeks) changes no
    figure of the measure, yet rebuilds its charts, so the flag follows."""
    from measures.models import ChartState

    assert send(world.a.info, world.a.site, _widening_gap()).status == Upload.Status.DONE
    glance = ChartState.objects.get(
        site=world.a.site, measure__code="median_wait_days", frequency="weekly"
    ).glance
    gaps = glance["gap_variations"]["imd_quintile"]
    assert gaps["all"] == "special_cause_concern"
    # Weeks in which fewer than 5 children were first seen drop out for other readers.
    assert gaps["hidden"] == "common_cause"
    dashboard = client_as(world.a.pm).get(world.a.site.get_absolute_url()).content.decode()
    assert "A gap between groups is getting worse" in dashboard
    stakeholder = client_as(world.a.stakeholder)
    page = stakeholder.get(world.a.site.get_absolute_url()).content.decode()
    assert "A gap between groups is getting worse" not in page
    # The programme's threshold changed since the charts were built: the gap is analysed
    # again for the reader, under the threshold that holds now (1: nothing hidden).
    world.programme.small_count_threshold = 1
    world.programme.save()
    page = stakeholder.get(world.a.site.get_absolute_url()).content.decode()
    assert "A gap between groups is getting worse" in page
    # Now the least deprived waited the extra 40 days: the gap falls, a signal of improvement.
    swapped = _widening_gap().replace(",A,1,1,9,", ",A,x,1,9,").replace(",A,10,1,9,", ",A,1,1,9,")
    again = send(world.a.info, world.a.site, swapped.replace(",A,x,1,9,", ",A,10,1,9,"))
    assert again.status == Upload.Status.DONE, again.problems
    assert again.counts["new"] == again.counts["changed"] == 0
    dashboard = client_as(world.a.pm).get(world.a.site.get_absolute_url()).content.decode()
    assert "A gap between groups is getting worse" not in dashboard
    # Undoing it removes only figures per group (it wrote no other): the charts are rebuilt
    # all the same, and no gap is left to flag.
    from measures.services import upload_undo

    with django_capture_on_commit_callbacks(execute=True):
        upload_undo(upload=again, user=None)
    glance = ChartState.objects.get(
        site=world.a.site, measure__code="median_wait_days", frequency="weekly"
    ).glance
    assert glance["gap_variations"] == {}


def _json_scripts(html: str) -> dict[str, object]:
    return {
        m.group(1): json.loads(m.group(2))
        for m in re.finditer(r'<script id="([^"]+)" type="application/json">(.*?)</script>', html)
    }


def _plotted(figure) -> list[float]:
    """Every number a figure's traces plot."""
    return [y for trace in figure["data"] for y in trace.get("y") or [] if y is not None]


@pytest.mark.django_db
def test_shared_link_offers_the_equity_view_with_small_numbers_hidden(world, send, client):
    """Every figure of the test extract is about fewer than 5 referrals (or none): a shared
    link's reader sees none of them, on the page, in its charts' data or in the download."""
    _figures(world, send)
    _link, token = services.shared_link_create(
        site=world.a.site, user=world.a.pm, label="Board", days=5
    )
    dashboard = client.get(reverse("shared-dashboard", args=[token])).content.decode()
    page_url = reverse("shared-equity", args=[token, "referrals_received"])
    assert f'href="{page_url}"' in dashboard
    response = client.get(page_url + "?by=ethnic_group")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    page = response.content.decode()
    assert "Referrals received by ethnic group" in page
    assert "with fewer than 5, not plotted" in page
    assert 'href="/sites/' not in page  # no way into the site's own pages
    figures = _json_scripts(page)
    assert figures
    # a week with no referrals in a group is a true zero, not a small number
    assert all(y == 0 for f in figures.values() for y in _plotted(f))
    download = client.get(
        reverse("shared-equity-download", args=[token, "referrals_received"]) + "?by=ethnic_group"
    )
    assert download.status_code == 200
    text = download.content.decode()
    assert '"2026-01-05","White","fewer than 5"' in text
    assert "2.0" not in text
    assert ",1.0" not in text


@pytest.mark.django_db
def test_shared_equity_refuses_programme_revoked_and_forged_links(world, send, client):
    _figures(world, send)
    link, token = services.shared_link_create(
        site=world.a.site, user=world.a.pm, label="Board", days=5
    )
    _plink, programme_token = services.shared_link_create(
        programme=world.programme, user=world.lead, label="Programme board", days=5
    )
    for bad in (programme_token, token[:-2] + "xx"):
        for name in ("shared-equity", "shared-equity-download"):
            assert client.get(reverse(name, args=[bad, "referrals_received"])).status_code == 404
    services.shared_link_revoke(link=link)
    assert (
        client.get(reverse("shared-equity", args=[token, "referrals_received"])).status_code == 404
    )

"""The upload service end to end: create -> task -> stored figures, report and history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from measures import services
from measures.models import ColumnMapping, DataPoint, DataPointHistory, Measure, Upload
from tests.factories import SiteFactory

from .conftest import EXTRACTS, extract, tidy

pytestmark = pytest.mark.django_db

BAD_FILES = sorted(p.name for p in (EXTRACTS / "bad").iterdir())

# What each file in bad/ must say: the specific reason, not a generic failure.
BAD_REASONS = {
    "bad_date.csv": ("31/02/2025", "not a real date"),
    "duplicate_week.csv": ("more than once",),
    "empty.csv": ("no data",),
    "formula_injection.csv": ("formula",),
    "header_only.csv": ("no data rows",),
    "negative_count.csv": ("negative",),
    "non_numeric_value.csv": ("'forty' is not a number",),
    "not_a_spreadsheet.xlsx": ("not an Excel workbook",),
    "unknown_site.csv": ("'ZZZ' is not a known site",),
}


@pytest.fixture
def sites(world):
    """The sample extracts' sites, with site A's informatics user uploading for NGT."""
    made = {
        code: SiteFactory(programme=world.programme, code=code)
        for code in ("NGT", "RVS", "EBK", "WFD")
    }
    from tests.factories import MembershipFactory

    MembershipFactory(user=world.a.info, site=made["NGT"], role="informatics")
    return made


def test_every_bad_file_has_a_specific_reason():
    assert set(BAD_FILES) == set(BAD_REASONS)


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_is_refused_with_its_reason_and_nothing_stored(world, sites, send, name):
    send(world.a.info, sites["NGT"], extract("long_weekly_all_sites.csv"), "good.csv")
    points, history = DataPoint.objects.count(), DataPointHistory.objects.count()
    upload = send(world.a.info, sites["NGT"], extract(f"bad/{name}"), name)
    assert upload.status == Upload.Status.FAILED
    assert upload.problems, name
    messages = " ".join(p["message"] for p in upload.problems)
    for fragment in BAD_REASONS[name]:
        assert fragment in messages, messages
    assert all(p["file"] == name for p in upload.problems)
    assert DataPoint.objects.count() == points
    assert DataPointHistory.objects.count() == history
    assert not DataPoint.objects.filter(upload=upload).exists()


def test_problem_names_sheet_row_and_column(world, sites, send):
    upload = send(world.a.info, sites["NGT"], extract("bad/non_numeric_value.csv"), "v.csv")
    problem = upload.problems[0]
    assert (problem["row"], problem["column"]) == (2, "value")
    assert problem["message"].startswith("v.csv, row 2, column 'value'")


def test_good_tidy_file_stores_every_value_with_its_upload(world, sites, send):
    upload = send(world.lead, sites["NGT"], extract("long_weekly_all_sites.csv"), "all.csv")
    assert upload.status == Upload.Status.DONE
    assert upload.progress == 100
    assert upload.counts["values"] == DataPoint.objects.count() > 0
    assert upload.counts["new"] == upload.counts["values"]
    assert set(DataPoint.objects.values_list("upload_id", flat=True)) == {upload.pk}
    assert upload.report["read"]["sites"] == ["EBK", "NGT", "RVS", "WFD"]
    assert set(upload.sites.values_list("code", flat=True)) == set(upload.report["read"]["sites"])
    assert upload.started_at
    assert upload.finished_at


def test_weeks_are_stored_by_their_monday(world, sites, send):
    upload = send(
        world.a.info, sites["NGT"], tidy([("NGT", "2025-01-08", "referrals_received", 5)])
    )
    assert upload.status == Upload.Status.DONE, upload.problems
    point = DataPoint.objects.get()
    assert point.period == dt.date(2025, 1, 6)
    assert point.frequency == "weekly"


def test_same_file_twice_changes_nothing_and_says_so(world, sites, send):
    first = send(world.lead, sites["NGT"], extract("long_weekly_all_sites.csv"), "all.csv")
    points = list(DataPoint.objects.order_by("pk").values_list("pk", "value", "upload_id"))
    second = send(world.lead, sites["NGT"], extract("long_weekly_all_sites.csv"), "all.csv")
    assert second.status == Upload.Status.DONE
    assert second.sha256 == first.sha256
    assert second.counts["new"] == second.counts["changed"] == 0
    assert second.counts["unchanged"] == first.counts["values"]
    assert second.report["nothing_new"] is True
    assert second.report["identical_to"] == first.pk
    assert list(DataPoint.objects.order_by("pk").values_list("pk", "value", "upload_id")) == points
    assert DataPointHistory.objects.count() == 0


def test_overlapping_upload_updates_its_weeks_and_keeps_earlier_values(
    world, sites, send, django_capture_on_commit_callbacks
):
    ngt = sites["NGT"]
    first = send(
        world.a.info,
        ngt,
        tidy(
            [
                ("NGT", "2025-01-06", "referrals_received", 10),
                ("NGT", "2025-01-13", "referrals_received", 11),
            ]
        ),
    )
    second = send(
        world.a.info,
        ngt,
        tidy(
            [
                ("NGT", "2025-01-13", "referrals_received", 15),
                ("NGT", "2025-01-20", "referrals_received", 12),
            ]
        ),
    )
    # A stored figure would change: the upload stops at its preview and changes nothing.
    assert second.status == Upload.Status.NEEDS_CONFIRMATION
    preview = second.report["preview"]
    assert (preview["changed"], preview["new"], preview["unchanged"]) == (1, 1, 0)
    assert preview["per_measure"] == [
        {
            "site": "NGT",
            "measure": "referrals_received",
            "measure_name": "Referrals received",
            "changed": 1,
            "first": "2025-01-13",
            "last": "2025-01-13",
        }
    ]
    largest = preview["largest"][0]
    assert (largest["before"], largest["after"], largest["before_upload"]) == (11.0, 15.0, first.pk)
    assert [u["id"] for u in preview["earlier_uploads"]] == [first.pk]
    assert dict(DataPoint.objects.values_list("period", "value")) == {
        dt.date(2025, 1, 6): 10.0,
        dt.date(2025, 1, 13): 11.0,
    }
    assert not DataPointHistory.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.upload_confirm(upload=second, user=world.a.info)
    second.refresh_from_db()
    assert second.status == Upload.Status.DONE
    assert second.counts == {**second.counts, "new": 1, "changed": 1, "unchanged": 0}
    values = dict(DataPoint.objects.values_list("period", "value"))
    assert values == {
        dt.date(2025, 1, 6): 10.0,
        dt.date(2025, 1, 13): 15.0,
        dt.date(2025, 1, 20): 12.0,
    }
    history = DataPointHistory.objects.get()
    assert (history.value, history.upload_id, history.replaced_by_id) == (11.0, first.pk, second.pk)
    change = second.report["changes"][0]
    assert (change["before"], change["after"], change["before_upload"]) == (11.0, 15.0, first.pk)
    assert DataPoint.objects.get(period=dt.date(2025, 1, 6)).upload_id == first.pk


def test_undo_restores_what_the_upload_replaced_and_removes_what_it_added(world, sites, send):
    ngt = sites["NGT"]
    first = send(world.a.info, ngt, tidy([("NGT", "2025-01-13", "referrals_received", 11)]))
    second = send(
        world.a.info,
        ngt,
        tidy(
            [
                ("NGT", "2025-01-13", "referrals_received", 15),
                ("NGT", "2025-01-20", "referrals_received", 12),
            ]
        ),
        replace=True,
    )
    affected = services.upload_undo(upload=second, user=world.a.info)
    assert affected == 2
    point = DataPoint.objects.get()
    assert (point.period, point.value, point.upload_id) == (dt.date(2025, 1, 13), 11.0, first.pk)
    second.refresh_from_db()
    assert second.undone_at is not None
    with pytest.raises(services.UndoRefused):
        services.upload_undo(upload=second, user=world.a.info)


def test_undo_is_refused_while_a_later_upload_replaced_its_values(world, sites, send):
    ngt = sites["NGT"]
    first = send(world.a.info, ngt, tidy([("NGT", "2025-01-13", "referrals_received", 11)]))
    second = send(
        world.a.info, ngt, tidy([("NGT", "2025-01-13", "referrals_received", 15)]), replace=True
    )
    with pytest.raises(services.UndoRefused, match=f"#{second.pk}"):
        services.upload_undo(upload=first, user=world.a.info)
    services.upload_undo(upload=second, user=world.a.info)
    services.upload_undo(upload=first, user=world.a.info)
    assert DataPoint.objects.count() == 0


def test_reupload_after_undo_stores_the_values_again(world, sites, send):
    ngt = sites["NGT"]
    content = tidy([("NGT", "2025-01-13", "referrals_received", 11)])
    first = send(world.a.info, ngt, content)
    services.upload_undo(upload=first, user=world.a.info)
    again = send(world.a.info, ngt, content)
    assert again.counts["new"] == 1
    assert again.report["identical_to"] is None
    assert DataPoint.objects.get().upload_id == again.pk


def test_informatics_cannot_create_an_upload_for_another_site(world, send):
    with pytest.raises(PermissionDenied):
        send(world.a.info, world.b.site, tidy([("BBB", "2025-01-06", "referrals_received", 1)]))
    assert not Upload.objects.exists()


@pytest.mark.parametrize("role", ["pm", "stakeholder"])
def test_roles_without_upload_cannot_upload(world, send, role):
    with pytest.raises(PermissionDenied):
        send(world.a.user(role), world.a.site, tidy([("AAA", "2025-01-06", "dnas", 1)]))


def test_file_with_a_site_the_uploader_may_not_upload_for_is_refused_naming_it(world, send):
    upload = send(
        world.a.info,
        world.a.site,
        tidy(
            [
                ("AAA", "2025-01-06", "referrals_received", 4),
                ("BBB", "2025-01-06", "referrals_received", 5),
            ]
        ),
    )
    assert upload.status == Upload.Status.FAILED
    assert "BBB" in upload.problems[0]["message"]
    assert "AAA" not in upload.problems[0]["message"].split("figures for")[1]
    assert not DataPoint.objects.exists()


def test_programme_lead_may_upload_a_file_for_several_sites(world, send):
    upload = send(
        world.lead,
        world.a.site,
        tidy(
            [
                ("AAA", "2025-01-06", "referrals_received", 4),
                ("BBB", "2025-01-06", "referrals_received", 5),
            ]
        ),
    )
    assert upload.status == Upload.Status.DONE, upload.problems
    assert set(upload.sites.values_list("code", flat=True)) == {"AAA", "BBB"}


def test_file_without_a_site_column_is_read_for_the_upload_site(world, send):
    content = "week_commencing,referrals_received,dnas\n2025-01-06,4,1\n2025-01-13,6,0\n"
    upload = send(world.a.info, world.a.site, content, "weekly.csv")
    assert upload.status == Upload.Status.DONE, upload.problems
    assert set(DataPoint.objects.values_list("site_id", flat=True)) == {world.a.site.pk}


def test_future_week_is_refused(world, send):
    future = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    upload = send(world.a.info, world.a.site, tidy([("AAA", future, "referrals_received", 3)]))
    assert upload.status == Upload.Status.FAILED
    assert "in the future" in upload.problems[0]["message"]
    assert not DataPoint.objects.exists()


def test_one_bad_value_among_good_ones_stores_nothing(world, send):
    rows = [("AAA", f"2025-01-{d:02d}", "referrals_received", 3) for d in (6, 13, 20)]
    rows.append(("AAA", "2025-01-27", "referrals_received", -1))
    upload = send(world.a.info, world.a.site, tidy(rows))
    assert upload.status == Upload.Status.FAILED
    assert not DataPoint.objects.exists()


def test_unknown_column_asks_for_a_mapping_and_remembers_it(
    world, send, django_capture_on_commit_callbacks
):
    content = "week_commencing,Referrals received,Contacts (F2F + virtual)\n2025-01-06,4,30\n"
    upload = send(world.a.info, world.a.site, content, "weekly.csv")
    assert upload.status == Upload.Status.NEEDS_MAPPING
    assert [u["label"] for u in upload.report["unmapped"]] == ["Contacts (F2F + virtual)"]
    assert not DataPoint.objects.exists()
    attended = Measure.objects.get(code="attended_contacts")
    with django_capture_on_commit_callbacks(execute=True):
        services.column_mappings_save(
            upload=upload, user=world.a.info, choices={"Contacts (F2F + virtual)": attended}
        )
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE, upload.problems
    assert DataPoint.objects.get(measure=attended).value == 30.0
    mapping = ColumnMapping.objects.get()
    assert (mapping.site, mapping.measure) == (world.a.site, attended)
    # Next week's file, same layout: no questions.
    nxt = send(world.a.info, world.a.site, content.replace("2025-01-06", "2025-01-13"), "w2.csv")
    assert nxt.status == Upload.Status.DONE
    assert nxt.counts["new"] == 2


def test_ignored_column_is_remembered_as_ignored(world, send, django_capture_on_commit_callbacks):
    content = "week_commencing,Referrals received,Target\n2025-01-06,4,30\n"
    upload = send(world.a.info, world.a.site, content, "weekly.csv")
    assert upload.status == Upload.Status.NEEDS_MAPPING
    with django_capture_on_commit_callbacks(execute=True):
        services.column_mappings_save(upload=upload, user=world.a.info, choices={"Target": None})
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE
    assert DataPoint.objects.count() == 1
    assert ColumnMapping.objects.get().measure is None
    again = send(
        world.a.info, world.a.site, content.replace("4,30", "5,31"), "w2.csv", replace=True
    )
    assert again.status == Upload.Status.DONE
    assert again.counts["changed"] == 1


def test_mappings_are_per_site(world, send, django_capture_on_commit_callbacks):
    content = "week_commencing,Referrals received,Target\n2025-01-06,4,30\n"
    upload = send(world.a.info, world.a.site, content, "weekly.csv")
    with django_capture_on_commit_callbacks(execute=True):
        services.column_mappings_save(upload=upload, user=world.a.info, choices={"Target": None})
    other = send(world.b.info, world.b.site, content, "weekly.csv")
    assert other.status == Upload.Status.NEEDS_MAPPING


def test_processing_an_upload_twice_stores_once(world, send):
    upload = send(world.a.info, world.a.site, tidy([("AAA", "2025-01-06", "dnas", 2)]))
    again = services.upload_process(upload_id=upload.pk)
    assert again.status == Upload.Status.DONE
    assert again.finished_at == upload.finished_at
    assert DataPoint.objects.count() == 1


def test_upload_left_processing_by_a_killed_worker_is_processed_on_redelivery(world):
    upload = services.upload_create(
        user=world.a.info,
        site=world.a.site,
        file=ContentFile(tidy([("AAA", "2025-01-06", "dnas", 2)]).encode(), name="x.csv"),
        source="api",
        enqueue=False,
    )
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.PROCESSING, progress=60)
    done = services.upload_process(upload_id=upload.pk)
    assert done.status == Upload.Status.DONE
    assert DataPoint.objects.count() == 1


def test_a_failure_while_writing_leaves_no_partial_upload(world, monkeypatch):
    upload = services.upload_create(
        user=world.a.info,
        site=world.a.site,
        file=ContentFile(tidy([("AAA", "2025-01-06", "dnas", 2)]).encode(), name="x.csv"),
        source="api",
        enqueue=False,
    )

    def crash(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "_changes", crash)
    with pytest.raises(RuntimeError):
        services.upload_process(upload_id=upload.pk)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.PROCESSING
    assert not DataPoint.objects.exists()
    monkeypatch.undo()
    assert services.upload_process(upload_id=upload.pk).status == Upload.Status.DONE
    assert DataPoint.objects.count() == 1


def test_one_rebuild_task_per_upload_marks_every_chart_it_changed(world, send, monkeypatch):
    from measures import recovery
    from measures.models import ChartState

    sent = []
    real_send = recovery.send

    def spy(task, *args):
        sent.append((task.name, args))
        return real_send(task, *args)

    monkeypatch.setattr(recovery, "send", spy)
    rows = [
        ("AAA", "2025-01-06", "dnas", 2),
        ("BBB", "2025-01-06", "dnas", 1),
        ("AAA", "2025-01-06", "appointments", 9),
    ]
    send(world.lead, world.a.site, tidy(rows))
    ids = dict(
        Measure.objects.filter(code__in=["dnas", "appointments", "dna_rate"]).values_list(
            "code", "pk"
        )
    )
    rebuilds = [args for name, args in sent if name.endswith("rebuild_charts")]
    a, b = world.a.site.pk, world.b.site.pk
    # One task for the upload: each site's changed measures and the DNA rate computed from them.
    assert rebuilds == [
        (
            sorted(
                [
                    [a, ids["dnas"]],
                    [a, ids["appointments"]],
                    [a, ids["dna_rate"]],
                    [b, ids["dnas"]],
                    [b, ids["dna_rate"]],
                ]
            ),
        )
    ]
    assert ChartState.objects.filter(site_id=a, measure_id=ids["dnas"]).exists()
    built = ChartState.objects.get(site_id=a, measure_id=ids["dnas"], frequency="weekly")
    assert not built.is_stale
    # Sending the same file again changes nothing, so nothing is rebuilt.
    sent.clear()
    send(world.lead, world.a.site, tidy(rows))
    assert [name for name, _ in sent if name.endswith("rebuild_charts")] == []


def test_file_too_large_is_refused_before_it_is_stored(world, settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="largest file"):
        services.upload_create(
            user=world.a.info,
            site=world.a.site,
            file=ContentFile(b"x" * 11, name="big.csv"),
            source="web",
        )
    assert not Upload.objects.exists()


def test_file_that_is_not_csv_or_excel_by_name_is_refused(world):
    with pytest.raises(ValidationError, match="not a CSV or Excel"):
        services.upload_create(
            user=world.a.info,
            site=world.a.site,
            file=ContentFile(b"%PDF", name="report.pdf"),
            source="web",
        )


def test_too_many_rows_is_refused(world, send, settings):
    settings.UPLOAD_MAX_ROWS = 2
    rows = [("AAA", f"2025-01-{d:02d}", "dnas", 1) for d in (6, 13, 20)]
    upload = send(world.a.info, world.a.site, tidy(rows))
    assert upload.status == Upload.Status.FAILED
    assert "more than 2 rows" in upload.problems[0]["message"]


def test_sha256_and_size_are_kept(world, send):
    import hashlib

    content = tidy([("AAA", "2025-01-06", "dnas", 2)])
    upload = send(world.a.info, world.a.site, content)
    assert upload.sha256 == hashlib.sha256(content.encode()).hexdigest()
    assert upload.size == len(content)
    assert upload.file.read() == content.encode()

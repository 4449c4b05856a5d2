"""Pages: upload, progress fragment, report, mapping screen, undo, data, dictionary, measures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures.models import ColumnMapping, DataPoint, LocalDefinition, Measure, Upload
from projects.selectors import landing_url

from .conftest import tidy
from .factories import LocalDefinitionFactory, UploadFactory

pytestmark = pytest.mark.django_db


def upload_url(site):
    return reverse("measures:upload-create", kwargs={"site_code": site.code})


def post_file(client, site, content: str, name="extract.csv", capture=None):
    data = {"file": SimpleUploadedFile(name, content.encode())}
    with capture(execute=True):
        return client.post(upload_url(site), data)


def test_informatics_lands_on_the_upload_page(world):
    assert landing_url(user=world.a.info) == upload_url(world.a.site)


def test_upload_page_shows_the_form_and_freshness(world, client_as):
    response = client_as(world.a.info).get(upload_url(world.a.site))
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b"Missing recent weeks" in response.content


def test_upload_redirects_to_its_report(world, client_as, django_capture_on_commit_callbacks):
    client = client_as(world.a.info)
    content = tidy([("AAA", "2025-01-06", "referrals_received", 7)])
    response = post_file(client, world.a.site, content, capture=django_capture_on_commit_callbacks)
    upload = Upload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == upload.get_absolute_url()
    page = client.get(response["Location"])
    assert b"Report" in page.content
    assert b"1 value not held before" in page.content
    assert upload.uploaded_by == world.a.info
    assert upload.source == "web"


def test_report_says_nothing_new_for_the_same_file(
    world, client_as, django_capture_on_commit_callbacks
):
    client = client_as(world.a.info)
    content = tidy([("AAA", "2025-01-06", "referrals_received", 7)])
    post_file(client, world.a.site, content, capture=django_capture_on_commit_callbacks)
    response = post_file(client, world.a.site, content, capture=django_capture_on_commit_callbacks)
    page = client.get(response["Location"])
    assert b"Nothing new" in page.content


def test_status_fragment_polls_while_queued_and_stops_when_done(world, client_as):
    upload = UploadFactory(site=world.a.site, status=Upload.Status.QUEUED, progress=10)
    client = client_as(world.a.info)
    url = upload.get_absolute_url()
    fragment = client.get(url, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert not html.lstrip().startswith("<!DOCTYPE")
    assert 'hx-trigger="every 1s"' in html
    assert '<progress id="upload-progress" max="100" value="10">' in html
    assert "refresh the page" in html
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.DONE, progress=100)
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done
    assert "<progress" not in done


def test_failed_upload_lists_every_problem(world, client_as, django_capture_on_commit_callbacks):
    client = client_as(world.a.info)
    content = tidy([("AAA", "2025-01-06", "referrals_received", "forty")])
    response = post_file(client, world.a.site, content, capture=django_capture_on_commit_callbacks)
    page = client.get(response["Location"]).content.decode()
    assert "The file was refused" in page
    assert "extract.csv, row 2, column &#x27;value&#x27;: &#x27;forty&#x27; is not a number" in page


def test_oversized_file_is_refused_by_the_form_before_storing(world, client_as, settings):
    settings.UPLOAD_MAX_BYTES = 20
    client = client_as(world.a.info)
    response = client.post(
        upload_url(world.a.site), {"file": SimpleUploadedFile("big.csv", b"x" * 21)}
    )
    assert response.status_code == 200
    assert b"largest file" in response.content
    assert not Upload.objects.exists()


def test_mapping_screen_asks_once_and_is_remembered(
    world, client_as, django_capture_on_commit_callbacks
):
    client = client_as(world.a.info)
    content = "week_commencing,Referrals received,Contacts (F2F + virtual)\n2025-01-06,4,30\n"
    response = post_file(client, world.a.site, content, capture=django_capture_on_commit_callbacks)
    upload = Upload.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Which measures are these?" in page
    assert "Ignore this column" in page
    mapping_url = reverse(
        "measures:upload-mapping", kwargs={"site_code": "AAA", "upload_id": upload.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(mapping_url, {"label_0": "attended_contacts"})
    assert answered.status_code == 302
    upload.refresh_from_db()
    assert upload.status == Upload.Status.DONE
    assert ColumnMapping.objects.filter(site=world.a.site).count() == 1
    content2 = content.replace("2025-01-06", "2025-01-13")
    post_file(client, world.a.site, content2, "w2.csv", capture=django_capture_on_commit_callbacks)
    assert Upload.objects.latest("pk").status == Upload.Status.DONE


def test_mapping_without_an_answer_shows_the_error(
    world, client_as, django_capture_on_commit_callbacks
):
    client = client_as(world.a.info)
    content = "week_commencing,Referrals received,Target\n2025-01-06,4,30\n"
    post_file(client, world.a.site, content, capture=django_capture_on_commit_callbacks)
    upload = Upload.objects.get()
    url = reverse("measures:upload-mapping", kwargs={"site_code": "AAA", "upload_id": upload.pk})
    response = client.post(url, {"label_0": ""})
    assert response.status_code == 400
    assert not ColumnMapping.objects.exists()


def test_stakeholder_sees_the_report_but_not_the_mapping_form(world, client_as, send):
    upload = send(world.a.info, world.a.site, "week_commencing,Target\n2025-01-06,4\n", "t.csv")
    assert upload.status == Upload.Status.NEEDS_MAPPING
    page = client_as(world.a.stakeholder).get(upload.get_absolute_url())
    assert page.status_code == 200
    assert b"<select" not in page.content
    url = reverse("measures:upload-mapping", kwargs={"site_code": "AAA", "upload_id": upload.pk})
    assert client_as(world.a.stakeholder).post(url, {"label_0": "dnas"}).status_code == 403


def test_undo_button_undoes_the_upload(world, client_as, send):
    upload = send(world.a.info, world.a.site, tidy([("AAA", "2025-01-06", "dnas", 3)]))
    client = client_as(world.a.info)
    url = reverse("measures:upload-undo", kwargs={"site_code": "AAA", "upload_id": upload.pk})
    response = client.post(url, follow=True)
    assert b"Upload undone" in response.content
    assert not DataPoint.objects.exists()


def test_stakeholder_cannot_undo(world, client_as, send):
    upload = send(world.a.info, world.a.site, tidy([("AAA", "2025-01-06", "dnas", 3)]))
    url = reverse("measures:upload-undo", kwargs={"site_code": "AAA", "upload_id": upload.pk})
    assert client_as(world.a.stakeholder).post(url).status_code == 403
    assert DataPoint.objects.count() == 1


@pytest.mark.parametrize("role", ["pm", "stakeholder"])
def test_roles_without_upload_capability_cannot_open_the_upload_page(world, client_as, role):
    assert client_as(world.a.user(role)).get(upload_url(world.a.site)).status_code == 403


def test_informatics_of_a_cannot_open_b_upload_page(world, client_as):
    assert client_as(world.a.info).get(upload_url(world.b.site)).status_code == 404


def test_site_data_page_shows_freshness_and_missing_weeks(world, client_as, send):
    send(world.a.info, world.a.site, tidy([("AAA", "2025-01-06", "dnas", 3)]))
    page = client_as(world.a.stakeholder).get(
        reverse("measures:site-data", kwargs={"site_code": "AAA"})
    )
    assert page.status_code == 200
    assert b"Data last arrived" in page.content
    assert b"12 of the last 12 weeks missing" in page.content
    assert b"Did not attend (DNAs)" in page.content
    assert b"Upload an extract" not in page.content


def test_site_page_links_to_its_data(world, client_as):
    page = client_as(world.a.pm).get(world.a.site.get_absolute_url())
    assert reverse("measures:site-data", kwargs={"site_code": "AAA"}).encode() in page.content


def test_measure_list_marks_definitions_that_differ(world, client_as):
    LocalDefinitionFactory(site=world.a.site, definition="Closed cases.")
    LocalDefinitionFactory(site=world.b.site, definition="Closed cases, excluding transfers.")
    page = client_as(world.lead).get(reverse("measures:measure-list")).content.decode()
    assert "Definitions differ between sites" in page
    assert "excluding transfers" in page
    assert reverse("measures:measure-edit", args=[Measure.objects.first().pk]) in page


def test_site_roles_see_measures_without_edit_links_or_other_sites(world, client_as):
    LocalDefinitionFactory(site=world.b.site, definition="B's secret wording.")
    page = client_as(world.a.pm).get(reverse("measures:measure-list")).content.decode()
    assert "B&#x27;s secret wording" not in page
    assert "/edit/" not in page


def test_programme_lead_edits_a_measure(world, client_as):
    measure = Measure.objects.get(code="closures")
    url = reverse("measures:measure-edit", args=[measure.pk])
    client = client_as(world.lead)
    form = client.get(url)
    assert form.status_code == 200
    data = {
        "name": "Cases closed",
        "description": "Closed.",
        "unit": "count",
        "numerator": "",
        "denominator": "",
        "multiplier": 1,
        "improvement": "neutral",
        "chart_type": "c",
        "rules": "mdc",
        "screen_outliers": "on",
        "order": 11,
    }
    assert client.post(url, data).status_code == 302
    measure.refresh_from_db()
    assert (measure.name, measure.chart_type) == ("Cases closed", "c")


def test_measure_needs_both_numerator_and_denominator(world, client_as):
    measure = Measure.objects.get(code="closures")
    url = reverse("measures:measure-edit", args=[measure.pk])
    data = {
        "name": "x",
        "unit": "count",
        "numerator": Measure.objects.get(code="dnas").pk,
        "denominator": "",
        "multiplier": 1,
        "improvement": "neutral",
        "chart_type": "c",
        "rules": "mdc",
        "order": 1,
    }
    response = client_as(world.lead).post(url, data)
    assert response.status_code == 200
    assert b"both a numerator and a denominator" in response.content


def test_informatics_records_a_local_definition(world, client_as):
    url = reverse(
        "measures:definition-edit", kwargs={"site_code": "AAA", "measure_code": "closures"}
    )
    client = client_as(world.a.info)
    data = {
        "local_term": "Discharges",
        "definition": "Episodes ended in the week.",
        "source_system": "SystmOne",
        "caveats": "",
        "date_agreed": "2025-02-01",
    }
    assert client.post(url, data).status_code == 302
    definition = LocalDefinition.objects.get(site=world.a.site)
    assert definition.date_agreed == dt.date(2025, 2, 1)
    page = client.get(reverse("measures:definition-list", kwargs={"site_code": "AAA"}))
    assert b"Episodes ended in the week." in page.content


def test_project_manager_cannot_edit_the_dictionary(world, client_as):
    url = reverse(
        "measures:definition-edit", kwargs={"site_code": "AAA", "measure_code": "closures"}
    )
    assert (
        client_as(world.a.pm).post(url, {"local_term": "x", "definition": "y"}).status_code == 403
    )
    assert not LocalDefinition.objects.exists()


def test_local_term_is_recognised_in_uploads(world, send):
    LocalDefinitionFactory(site=world.a.site, local_term="Discharges")
    upload = send(world.a.info, world.a.site, "week_commencing,Discharges\n2025-01-06,4\n", "d.csv")
    assert upload.status == Upload.Status.DONE, upload.report
    assert DataPoint.objects.get().measure.code == "closures"

"""`manage.py backup` and `manage.py restore`: into an empty database, every site, figure,
upload and toolkit item comes back, with the uploaded files; a damaged backup is refused."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from measures import services as measure_services
from measures.models import DataPoint, Upload
from projects.models import Site
from thrive_site import backup
from toolkit.models import PdsaCycle

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def filled(world, settings, tmp_path):
    # A transactional test ends with a flush, seeds included: put the standard measures and
    # steps back first, as the browser tests do.
    from tests.e2e.conftest import _run_seeds

    _run_seeds()
    settings.MEDIA_ROOT = tmp_path / "media"
    content = "site_code,week_commencing,measure,value\nAAA,2025-01-06,referrals_received,12\n"
    upload = measure_services.upload_create(
        user=world.a.info,
        site=world.a.site,
        file=ContentFile(content.encode(), name="weekly.csv"),
        source="web",
        enqueue=False,
    )
    # Read here, not by a task: the test is about what a backup keeps, whatever the queue.
    measure_services.upload_process(upload_id=upload.pk)
    upload.refresh_from_db()
    assert DataPoint.objects.count() == 1, (upload.status, upload.problems, upload.report)
    PdsaCycle.objects.create(project=world.a.project, title="Daily triage", objective="Faster")
    return world


def test_a_backup_restores_every_row_and_file_into_an_empty_database(filled, tmp_path, settings):
    before = backup.row_counts()
    upload = Upload.objects.get()
    stored_file = upload.file.path
    out = io.StringIO()
    call_command("backup", "--to", str(tmp_path / "backups"), stdout=out)
    folder = next((tmp_path / "backups").iterdir())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["rows"]["projects_site"] == Site.objects.count() >= 2
    assert set(manifest["files"]) == {"database.dump", "media.tar.gz"}

    call_command("flush", interactive=False, verbosity=0)
    import shutil

    shutil.rmtree(settings.MEDIA_ROOT)
    assert not Site.objects.exists()

    out = io.StringIO()
    call_command("restore", str(folder), stdout=out)
    assert "each table checked" in out.getvalue()
    assert backup.row_counts() == before
    assert DataPoint.objects.get().value == 12.0
    assert Upload.objects.get().original_name == "weekly.csv"
    assert PdsaCycle.objects.get().title == "Daily triage"
    with open(stored_file, "rb") as handle:
        assert b"referrals_received,12" in handle.read()


def test_a_damaged_backup_or_a_full_database_is_refused(filled, tmp_path):
    folder = backup.backup_create(into=tmp_path)
    with pytest.raises(CommandError, match="already holds sites"):
        call_command("restore", str(folder), stdout=io.StringIO())
    dump = folder / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("restore", str(folder), "--replace", stdout=io.StringIO())
    with pytest.raises(CommandError, match="holds no manifest"):
        call_command("restore", str(tmp_path / "nowhere"), stdout=io.StringIO())

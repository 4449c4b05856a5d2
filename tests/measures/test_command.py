"""python manage.py ingest_extract: the same path and checks, as a system action."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from measures.models import DataPoint, Upload

from .conftest import EXTRACTS, tidy

pytestmark = pytest.mark.django_db


def test_command_stores_a_file_as_a_command_line_upload(world, tmp_path, capsys):
    path = tmp_path / "history.csv"
    path.write_text(tidy([("AAA", "2025-01-06", "dnas", 1), ("BBB", "2025-01-06", "dnas", 2)]))
    call_command("ingest_extract", str(path))
    upload = Upload.objects.get()
    assert (upload.status, upload.source, upload.uploaded_by) == ("done", "cli", None)
    assert upload.uploader_label == "command line"
    assert DataPoint.objects.count() == 2
    assert "2 new" in capsys.readouterr().out


def test_command_uses_site_option_for_unlabelled_figures(world, tmp_path):
    path = tmp_path / "weekly.csv"
    path.write_text("week_commencing,referrals_received\n2025-01-06,4\n")
    call_command("ingest_extract", str(path), "--site", "bbb")
    assert DataPoint.objects.get().site == world.b.site


def test_command_refuses_a_bad_file_listing_its_problems(world):
    with pytest.raises(CommandError) as refused:
        call_command("ingest_extract", str(EXTRACTS / "bad" / "non_numeric_value.csv"))
    assert "refused, nothing was stored" in str(refused.value)
    assert "'forty' is not a number" in str(refused.value)
    assert not DataPoint.objects.exists()


def test_command_exits_non_zero_without_a_traceback(world, tmp_path):
    import subprocess
    import sys

    missing = tmp_path / "missing.csv"
    result = subprocess.run(
        [sys.executable, "manage.py", "ingest_extract", str(missing)],
        capture_output=True,
        text=True,
        env={"DJANGO_DEBUG": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode != 0
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_command_reports_unknown_columns(world, tmp_path):
    path = tmp_path / "weekly.csv"
    path.write_text("week_commencing,Mystery figure\n2025-01-06,4\n")
    with pytest.raises(CommandError, match="'Mystery figure'"):
        call_command("ingest_extract", str(path), "--site", "AAA")


def test_command_refuses_unknown_site_option(world, tmp_path):
    path = tmp_path / "weekly.csv"
    path.write_text("x")
    with pytest.raises(CommandError, match="no such site"):
        call_command("ingest_extract", str(path), "--site", "ZZZ")


def test_command_refuses_a_csv_with_a_giant_cell_in_words_not_a_traceback(
    world, tmp_path, caplog, settings
):
    """It printed `_csv.Error: field larger than field limit` with a traceback before."""
    from .hostile import huge_field_csv

    settings.UPLOAD_MAX_FIELD_BYTES = 1024
    path = tmp_path / "giant.csv"
    path.write_bytes(huge_field_csv(200 * 1024))
    with pytest.raises(CommandError) as refused:
        call_command("ingest_extract", str(path))
    assert "row 3, column C: a cell of 200 KB; the largest cell accepted is 1 KB" in str(
        refused.value
    )
    assert "Traceback" not in caplog.text
    assert not DataPoint.objects.exists()

"""Demo content for measures: each site's data dictionary and a year of weekly figures, loaded
from the extracts in measures/demo_extracts/ through the same upload path as a real file."""

from __future__ import annotations

import datetime as dt
import importlib.util
import tempfile
from pathlib import Path
from typing import Any

from django.core.files import File

from . import services
from .models import LocalDefinition, Measure, Upload

EXTRACTS = Path(__file__).resolve().parent / "demo_extracts"
FILES = {
    "NGT": "northgate_weekly_kpis.xlsx",
    "RVS": "riverside_weekly.csv",
    "EBK": "eastbrook_pivot.xlsx",
    "WFD": "westfield_weekly.csv",
}
# Record-level extracts, loaded after the files above: their weekly figures replace the
# aggregate ones for the measures they derive, and they bring the figures per group.
RECORD_FILES = {"NGT": "northgate_referrals.csv"}

SYSTEMS = {"NGT": "RiO", "RVS": "Liquidlogic EHM", "EBK": "SystmOne", "WFD": "Lamplight"}

# (local term, definition) per site; where a site is missing a measure it has not agreed one.
# Closures and waits are deliberately defined differently, as they are in real programmes.
DEFINITIONS: dict[str, dict[str, tuple[str, str]]] = {
    "NGT": {
        "referrals_received": (
            "Referrals received",
            "Referrals received in the week, whatever their outcome.",
        ),
        "referrals_signposted": (
            "Referrals signposted",
            "Referrals given advice and signposted to other support in the week.",
        ),
        "median_wait_days": (
            "Median wait to first contact (days)",
            "Median days from referral to first attended contact, for first contacts in the week.",
        ),
        "closures": ("Closures", "Cases closed in the week, any reason, including transfers."),
        "dnas": ("DNAs", "Appointments not attended without notice in the week."),
    },
    "RVS": {
        "referrals_received": (
            "Requests for support",
            "Referrals received in the week, whatever their outcome.",
        ),
        "referrals_signposted": (
            "Advice & signposting given",
            "Referrals given advice and signposted to other support in the week.",
        ),
        "median_wait_days": (
            "Median days to first contact",
            "Median days from request to first contact of any kind (including phone), for first contacts in the week.",
        ),
        "attended_contacts": ("Contacts – attended", "Contacts attended in the week."),
        "dnas": (
            "Contacts – not attended",
            "Appointments not attended without notice in the week.",
        ),
        "closures": (
            "Episodes closed",
            "Early help episodes closed in the week, excluding transfers to CAMHS.",
        ),
        "open_caseload": ("Open episodes (end of week)", "Cases open at the end of the week."),
    },
    "EBK": {
        "referrals_received": (
            "Referrals received",
            "Referrals received in the week, whatever their outcome.",
        ),
        "median_wait_days": (
            "Median wait to first contact (days)",
            "Median days from referral to first attended contact, for first contacts in the week.",
        ),
        "closures": ("Closures", "Cases closed in the week, any reason, including transfers."),
    },
    "WFD": {
        "referrals_received": (
            "Referrals",
            "Referrals received in the week, whatever their outcome.",
        ),
        "closures": (
            "Closed",
            "People no longer attending drop-ins for 6 weeks, counted in the week they are closed.",
        ),
    },
}


def load(world: Any) -> None:
    measures = {m.code: m for m in Measure.objects.all()}
    for code, site in world.sites.items():
        for measure_code, (term, definition) in DEFINITIONS.get(code, {}).items():
            LocalDefinition.objects.create(
                site=site,
                measure=measures[measure_code],
                local_term=term,
                definition=definition,
                source_system=SYSTEMS[code],
                caveats="Refreshed weekly on Monday for the previous week."
                if code == "NGT"
                else "",
                date_agreed=world.today - dt.timedelta(days=280),
            )
    with tempfile.TemporaryDirectory() as tmp:
        _load_extracts(world, _extracts_up_to_last_week(world.today, Path(tmp)))
    _load_charts(world, measures)


def _extracts_up_to_last_week(today: dt.date, tmp: Path) -> Path:
    """The committed extracts when they end at the last complete week before `today`; else the
    same figures written afresh (generate.py) to end there, so the demo is never out of date."""
    spec = importlib.util.spec_from_file_location("demo_generate", EXTRACTS / "generate.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"Cannot load {EXTRACTS / 'generate.py'}")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    last_week = generate.last_complete_week(today)
    if last_week == generate.LAST_WEEK:
        return EXTRACTS
    generate.write_all(tmp, last_week)
    return tmp


def _load_extracts(world: Any, folder: Path) -> None:
    for code, name in [*FILES.items(), *RECORD_FILES.items()]:
        site = world.sites.get(code)
        if site is None:
            continue
        user = world.users.get(f"demo-info-{code.lower()}")
        with (folder / name).open("rb") as handle:
            upload = services.upload_create(
                user=user,
                site=site,
                file=File(handle, name=name),
                source=Upload.Source.DEMO,
                enqueue=False,
            )
        upload = services.upload_process(upload_id=upload.pk)
        if upload.status != Upload.Status.DONE:
            raise RuntimeError(
                f"demo extract {name} was refused: {upload.problems or upload.report}"
            )


def _load_charts(world: Any, measures: dict[str, Measure]) -> None:
    """Chart settings for Northgate, then every demo site's charts built at once (not left to
    the worker), so the demo shows charts as soon as it is loaded."""
    from .charts import services as chart_services

    ngt = world.sites.get("NGT")
    if ngt is not None:
        chart_services.chart_settings_update(
            site=ngt,
            measure=measures["median_wait_days"],
            user=world.users.get("demo-pm-ngt"),
            target=28.0,
            reason="Local standard: first contact within 4 weeks of referral.",
        )
        chart_services.measure_share_set(
            site=ngt,
            measure=measures["median_wait_days"],
            user=world.users.get("demo-pm-ngt"),
            shared=True,
        )
    for site in world.sites.values():
        chart_services.chart_rebuild_site(site=site)

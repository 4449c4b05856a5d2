"""Weekly figures typed in by hand, on the data entry page or through the API.

The checks are an upload's (a number, not below zero, a whole number for a count, no week in
the future, each week once), and the figures are stored as a small upload of their own
(source "hand", by the person who typed them), so the history, undo, the upload list and the
chart rebuilds are the same as for a file. Nothing is stored when any value is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from projects.audit import audit_record
from projects.models import AuditEvent, Site
from projects.permissions import Capability, can

from . import services
from .ingest.values import OK, parse_number
from .models import FigureSeries, Frequency, Measure, Upload

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_VALUES = 520  # ten years of weeks in one request
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class EntryProblem:
    """One refused item: `index` is its place in the list sent (0-based), `week` its week
    when that could be read, `field` "week", "value", "values" or "measure"."""

    index: int | None
    week: str | None
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "week": self.week,
            "field": self.field,
            "message": self.message,
        }


class EntryRefused(Exception):
    def __init__(self, problems: list[EntryProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class EntryResult:
    upload: Upload | None  # None when every value was already stored
    stored: list[dict[str, Any]] = field(default_factory=list)  # week, value, before
    unchanged: int = 0


def entry_measures() -> QuerySet[Measure]:
    """Measures typed in as they are: a rate is worked out from its two counts."""
    return Measure.objects.filter(numerator__isnull=True, denominator__isnull=True)


def week_label(week: dt.date) -> str:
    return f"{week.day} {week:%B %Y}"


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _read_week(raw: object, today: dt.date) -> tuple[dt.date | None, str | None]:
    """(week, None) or (None, what is wrong, as the end of a sentence)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "give the week as YYYY-MM-DD, the Monday the week starts"
    if isinstance(raw, dt.date):
        day = raw
    elif isinstance(raw, str) and _ISO_DATE.match(raw.strip()):
        try:
            day = dt.date.fromisoformat(raw.strip())
        except ValueError:
            return None, f"{raw.strip()!r} is not a date: give the week as YYYY-MM-DD"
    else:
        return None, f"{str(raw)[:40]!r} is not a date: give the week as YYYY-MM-DD"
    if day.weekday() != 0:
        start = monday(day)
        return None, (
            f"{week_label(day)} is a {day:%A}: give the Monday that starts the week, "
            f"{start.isoformat()} ({week_label(start)})"
        )
    if day > today:
        return None, (
            f"the week commencing {week_label(day)} has not started yet "
            f"(today is {week_label(today)})"
        )
    if day.year < 2000:
        return None, f"{week_label(day)} is before 2000: check the year"
    return day, None


def _read_value(raw: object, measure: Measure) -> tuple[float | None, str | None]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, f"enter a number for {measure.name.lower()}"
    value, status = parse_number(raw.strip() if isinstance(raw, str) else raw)
    if status != OK or not math.isfinite(value):
        return None, f"{str(raw)[:40]!r} is not a number: enter a number, like 12"
    if value < 0:
        return None, f"{value:g} is below zero, but {measure.name.lower()} cannot be negative"
    if measure.is_count and value != math.floor(value):
        return None, f"{value:g} is not a whole number, but {measure.name.lower()} is a count"
    return value, None


def values_check(
    *, measure: Measure, values: Sequence[Mapping[str, object]], today: dt.date
) -> dict[dt.date, float]:
    """The weeks and values sent, checked; EntryRefused lists every problem."""
    problems: list[EntryProblem] = []
    if measure.is_ratio:
        parts = Measure.objects.filter(pk__in=[measure.numerator_id, measure.denominator_id])
        names = " and ".join(m.name.lower() for m in parts.order_by("order"))
        problems.append(
            EntryProblem(
                None, None, "measure", f"{measure.name} is worked out from {names}: enter those"
            )
        )
        raise EntryRefused(problems)
    if not values:
        raise EntryRefused([EntryProblem(None, None, "values", "Send at least one week's value.")])
    if len(values) > MAX_VALUES:
        raise EntryRefused(
            [
                EntryProblem(
                    None,
                    None,
                    "values",
                    f"{len(values):,} values were sent; send at most {MAX_VALUES} at a time.",
                )
            ]
        )
    checked: dict[dt.date, float] = {}
    first_seen: dict[dt.date, int] = {}
    for i, item in enumerate(values):
        if not isinstance(item, Mapping):
            problems.append(
                EntryProblem(i, None, "values", f"Item {i + 1}: send {{'week': ..., 'value': ...}}")
            )
            continue
        week, why = _read_week(item.get("week"), today)
        if why:
            problems.append(EntryProblem(i, None, "week", f"Item {i + 1}: {why}."))
            continue
        assert week is not None
        where = f"Week commencing {week_label(week)}"
        if week in first_seen:
            problems.append(
                EntryProblem(
                    i,
                    week.isoformat(),
                    "week",
                    f"{where} is sent twice (items {first_seen[week] + 1} and {i + 1}): "
                    "send each week once.",
                )
            )
            continue
        first_seen[week] = i
        value, why = _read_value(item.get("value"), measure)
        if why:
            problems.append(EntryProblem(i, week.isoformat(), "value", f"{where}: {why}."))
            continue
        assert value is not None
        checked[week] = value
    if problems:
        raise EntryRefused(problems)
    return checked


def current_values(*, site: Site, measure: Measure, weeks: Sequence[dt.date]) -> dict:
    """week -> (value, upload) stored now, for the weeks given."""
    row = FigureSeries.objects.filter(
        site=site, measure=measure, frequency=Frequency.WEEKLY
    ).first()
    wanted = set(weeks)
    found = [] if row is None else [p for p in row.points() if p[0] in wanted]
    uploads = Upload.objects.select_related("uploaded_by").in_bulk({p[2] for p in found})
    return {period: (value, uploads[upload_id]) for period, value, upload_id in found}


def values_enter(
    *,
    user: User,
    site: Site,
    measure: Measure,
    values: Sequence[Mapping[str, object]],
    today: dt.date | None = None,
) -> EntryResult:
    """Store the weekly values `user` typed for `site` and `measure`: all of them, or none
    (EntryRefused). Values equal to what is stored are left as they are."""
    if not can(user, Capability.ENTER_DATA, site):
        raise PermissionDenied(f"Your role on {site.code} does not allow entering figures.")
    today = today or timezone.localdate()
    checked = values_check(measure=measure, values=values, today=today)
    with transaction.atomic():
        current = current_values(site=site, measure=measure, weeks=list(checked))
        changed = {
            week: value
            for week, value in sorted(checked.items())
            if week not in current or current[week][0] != value
        }
        if not changed:
            return EntryResult(upload=None, unchanged=len(checked))
        upload = _hand_upload(user=user, site=site, measure=measure, changed=changed)
        obs = pd.DataFrame(
            {
                "site": [site.code] * len(changed),
                "measure": [measure.code] * len(changed),
                "period": pd.to_datetime(list(changed)),
                "value": list(changed.values()),
            }
        )
        services.points_write(
            locked=upload,
            frame=services.frame_from_observations(obs),
            frequency=Frequency.WEEKLY,
            report={
                "notes": [],
                "sheets": [],
                "file_sites": [site.code],
                "read": services.read_summary(obs, Frequency.WEEKLY),
            },
            fields={},
        )
        weeks = ", ".join(week_label(w) for w in list(changed)[:5])
        audit_record(
            action=AuditEvent.Action.DATA_ENTERED,
            user=user,
            site=site,
            what=f"upload #{upload.pk}: {measure.code}, {len(changed)} "
            f"week{'s' if len(changed) != 1 else ''} ({weeks}{', ...' if len(changed) > 5 else ''})",
        )
    upload.refresh_from_db()
    return EntryResult(
        upload=upload,
        stored=[
            {
                "week": week.isoformat(),
                "value": value,
                "before": current[week][0] if week in current else None,
            }
            for week, value in changed.items()
        ],
        unchanged=len(checked) - len(changed),
    )


def _hand_upload(
    *, user: User, site: Site, measure: Measure, changed: Mapping[dt.date, float]
) -> Upload:
    content = json.dumps(
        [site.code, measure.code, [[w.isoformat(), v] for w, v in changed.items()]]
    ).encode()
    n = len(changed)
    now = timezone.now()
    return Upload.objects.create(
        site=site,
        uploaded_by=user,
        source=Upload.Source.HAND,
        original_name=f"{measure.name}: {n} week{'s' if n != 1 else ''} entered by hand"[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        size=0,
        status=Upload.Status.PROCESSING,
        layout="hand",
        frequency=Frequency.WEEKLY,
        started_at=now,
        enqueued_at=now,
        attempts=1,
        replace=True,
    )

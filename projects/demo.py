"""Demo content: a programme with the four sites of the sample extracts, a project each and users.

Other apps add their own content through a `demo.py` with `load(world: DemoWorld)`, called in
DEMO_APPS order, so each part of the product shows real history in the demo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from .models import (
    Membership,
    PartnerOrganisation,
    Programme,
    ProgrammeLead,
    Project,
    Sector,
    Site,
    ThriveFocus,
)

DEMO_PASSWORD = "thrive-demo-2026"
DEMO_APPS = ("phases", "measures", "toolkit")

SITES: list[dict[str, Any]] = [
    {
        "code": "NGT",
        "name": "Northgate CAMHS",
        "locality": "Northgate",
        "partners": [
            ("Northgate CAMHS (NHS Foundation Trust)", Sector.NHS_CAMHS),
            ("Northgate City Council Children's Services", Sector.LOCAL_AUTHORITY),
            ("Northgate ICB", Sector.COMMISSIONER),
        ],
        "project": {
            "title": "Single point of access for advice and signposting",
            "thrive_focus": ThriveFocus.ADVICE,
            "aim": "Cut the median wait from referral to first contact from 45 to 28 days by "
            "{in_6_months}, and signpost a third of referrals to community support.",
            "status": Project.Status.ACTIVE,
        },
    },
    {
        "code": "RVS",
        "name": "Riverside Early Help",
        "locality": "Riverside",
        "partners": [
            ("Riverside Council Early Help", Sector.LOCAL_AUTHORITY),
            ("Riverside Youth Trust", Sector.VOLUNTARY),
        ],
        "project": {
            "title": "Shared care planning across early help and CAMHS",
            "thrive_focus": ThriveFocus.WHOLE_SYSTEM,
            "whole_system_theme": "Whole-system care planning",
            "aim": "Every young person open to two services has one shared plan by {in_9_months}.",
            "status": Project.Status.ACTIVE,
        },
    },
    {
        "code": "EBK",
        "name": "Eastbrook Schools MHST",
        "locality": "Eastbrook",
        "partners": [
            ("Eastbrook Mental Health Support Team", Sector.NHS_CAMHS),
            ("Eastbrook Learning Trust", Sector.EDUCATION),
        ],
        "project": {
            "title": "Getting Help in schools",
            "thrive_focus": ThriveFocus.HELP,
            "aim": "Offer guided self-help within 4 weeks to 80% of pupils referred by schools.",
            "status": Project.Status.ACTIVE,
        },
    },
    {
        "code": "WFD",
        "name": "Westfield Youth Wellbeing",
        "locality": "Westfield",
        "partners": [
            ("Westfield Youth Wellbeing Collective", Sector.VOLUNTARY),
            ("Westfield Primary Care Network", Sector.PRIMARY_CARE),
        ],
        "project": {
            "title": "Thriving: community wellbeing drop-ins",
            "thrive_focus": ThriveFocus.THRIVING,
            "aim": "Reduce avoidable referrals to specialist services by 20% by {in_12_months}.",
            "status": Project.Status.PLANNING,
        },
    },
]


def month_ahead(today: dt.date, months: int) -> str:
    """The month `months` after today's, as an aim would name it: "June 2027"."""
    index = today.year * 12 + today.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1).strftime("%B %Y")


def working_day(day: dt.date) -> dt.date:
    """The day itself from Monday to Friday; a Saturday's Friday before, a Sunday's Monday after."""
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


@dataclass
class DemoWorld:
    programme: Programme
    sites: dict[str, Site]
    projects: dict[str, Project]
    lead: Any
    users: dict[str, Any] = field(default_factory=dict)  # username -> user
    today: dt.date = field(default_factory=dt.date.today)


def _user(username: str, first: str, last: str, *, password: str, **extra: Any) -> Any:
    user_model = get_user_model()
    user = user_model(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@example.nhs.uk",
        password=password,
        **extra,
    )
    user.save()
    return user


@transaction.atomic
def demo_load(*, today: dt.date | None = None, apps: tuple[str, ...] = DEMO_APPS) -> DemoWorld:
    """Create the demo programme. The caller decides whether the database may receive it."""
    today = today or dt.date.today()
    programme = Programme.objects.create(
        name="Northshire i-THRIVE Programme",
        slug="northshire",
        description="Four localities implementing the THRIVE Framework with the i-THRIVE "
        "Approach to Implementation.",
    )
    # Every demo account has the one published password: hashed once, not thirteen times
    # (about 0.25 s each with the production hasher, 3 s of `make run`'s first start).
    password = make_password(DEMO_PASSWORD)
    lead = _user("demo-lead", "Priya", "Shah", password=password, is_staff=True, is_superuser=True)
    ProgrammeLead.objects.create(user=lead, programme=programme)
    world = DemoWorld(programme=programme, sites={}, projects={}, lead=lead, today=today)
    world.users[lead.username] = lead
    people = {
        "pm": ("Project", "Manager", Membership.Role.PROJECT_MANAGER),
        "info": ("Informatics", "Analyst", Membership.Role.INFORMATICS),
        "stakeholder": ("Stakeholder", "Reader", Membership.Role.STAKEHOLDER),
    }
    for spec in SITES:
        site = Site.objects.create(
            programme=programme, code=spec["code"], name=spec["name"], locality=spec["locality"]
        )
        for name, sector in spec["partners"]:
            PartnerOrganisation.objects.create(site=site, name=name, sector=sector)
        dates = {f"in_{n}_months": month_ahead(today, n) for n in (6, 9, 12)}
        project = Project.objects.create(
            site=site,
            start_date=today - dt.timedelta(days=300),
            **{**spec["project"], "aim": spec["project"]["aim"].format(**dates)},
        )
        world.sites[site.code] = site
        world.projects[site.code] = project
        for kind, (first, last, role) in people.items():
            username = f"demo-{kind}-{site.code.lower()}"
            user = _user(username, first, f"{last} ({site.code})", password=password)
            Membership.objects.create(user=user, site=site, role=role)
            world.users[username] = user
    _demo_events(world)
    for app in apps:
        if find_spec(f"{app}.demo") is not None:
            import_module(f"{app}.demo").load(world)
    return world


def _demo_events(world: DemoWorld) -> None:
    """A programme-wide community of practice day, and Northgate's own learning hour (scheduled
    by its project manager) to which Riverside is invited."""
    from . import services

    def at(days: int, hour: int) -> dt.datetime:
        day = working_day(world.today + dt.timedelta(days=days))
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    services.event_create(
        programme=world.programme,
        user=world.lead,
        title="Northshire community of practice: signposting",
        starts_at=at(21, 10),
        ends_at=at(21, 13),
        location="Northshire County Hall, Committee Room 2",
        description="Each site brings one PDSA cycle on signposting to share.",
    )
    services.event_create(
        programme=world.programme,
        site=world.sites["NGT"],
        user=world.users["demo-pm-ngt"],
        title="Northgate learning hour: single point of access",
        starts_at=at(9, 14),
        ends_at=at(9, 15),
        location="https://meet.example.nhs.uk/northgate-learning-hour",
        description="How our single point of access triages referrals, and what we changed.",
        invited_sites=[world.sites["RVS"]],
    )

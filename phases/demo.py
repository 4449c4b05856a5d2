"""Demo content for implementation tracking: each demo project gets a team, a stakeholder
register, step progress with history and evidence, a run of meetings with actions, and a
baseline and follow-up THRIVE assessment. Called by projects.demo.demo_load."""

from __future__ import annotations

import datetime as dt
from typing import Any

from phases import services
from phases.models import Principle, Step
from projects.demo import working_day

# How far each site has got: step code -> (status, days from today to the target date).
PROGRESS: dict[str, dict[str, tuple[str, int | None]]] = {
    "NGT": {
        "P1.1": ("done", -240),
        "P1.2": ("done", -200),
        "P1.3": ("done", -150),
        "P1.4": ("done", -220),
        "P1.5": ("done", -120),
        "P1.6": ("done", -90),
        "P2.1": ("done", -60),
        "P2.2": ("in_progress", -7),
        "P2.3": ("in_progress", 30),
        "P2.4": ("not_applicable", None),
        "P2.5": ("done", -45),
        "P3.1": ("in_progress", 60),
        "P3.2": ("not_started", 90),
    },
    "RVS": {
        "P1.1": ("done", -220),
        "P1.2": ("done", -180),
        "P1.3": ("in_progress", -14),
        "P1.4": ("done", -200),
        "P1.5": ("in_progress", 21),
        "P1.6": ("not_started", 45),
        "P2.1": ("in_progress", 30),
        "P2.5": ("in_progress", -3),
    },
    "EBK": {
        "P1.1": ("done", -200),
        "P1.2": ("in_progress", -20),
        "P1.3": ("in_progress", 28),
        "P1.4": ("done", -180),
        "P2.4": ("in_progress", 40),
    },
    "WFD": {
        "P1.1": ("in_progress", 14),
        "P1.2": ("in_progress", -5),
        "P1.4": ("done", -100),
    },
}

STAKEHOLDERS = {
    "NGT": [
        (
            "Dr Helen Okafor",
            "Northgate CAMHS",
            "nhs_camhs",
            "Clinical lead",
            "high",
            "high",
            "Steering group, fortnightly",
            False,
        ),
        (
            "Mark Reynolds",
            "Northgate City Council Children's Services",
            "local_authority",
            "Head of early help",
            "high",
            "high",
            "Steering group",
            False,
        ),
        (
            "Sara Whitfield",
            "Northgate ICB",
            "commissioner",
            "Commissioning manager",
            "high",
            "low",
            "Monthly highlight report",
            False,
        ),
        (
            "Jo Patel",
            "Northgate Primary Care Network",
            "primary_care",
            "GP referrer",
            "low",
            "high",
            "Practice newsletter",
            False,
        ),
        (
            "Northgate Youth Voice",
            "Northgate Youth Voice",
            "young_people_families",
            "Young people's panel",
            "low",
            "high",
            "Youth forum, monthly",
            True,
        ),
        (
            "Parents Together Northgate",
            "Parents Together",
            "young_people_families",
            "Parent carer forum",
            "low",
            "high",
            "Forum meetings, termly",
            True,
        ),
        (
            "Kirsty Doyle",
            "Northgate Academy Trust",
            "education",
            "Mental health lead for schools",
            "low",
            "high",
            "Schools bulletin",
            False,
        ),
        (
            "Ahmed Rahman",
            "Mind in Northgate",
            "voluntary",
            "Service manager",
            "low",
            "low",
            "Quarterly partner update",
            False,
        ),
    ],
    "RVS": [
        (
            "Claire Benson",
            "Riverside Council Early Help",
            "local_authority",
            "Early help manager",
            "high",
            "high",
            "Weekly huddle",
            False,
        ),
        (
            "Dr Tom Ashby",
            "Riverside CAMHS",
            "nhs_camhs",
            "Consultant psychiatrist",
            "high",
            "high",
            "Steering group",
            False,
        ),
        (
            "Riverside Youth Trust",
            "Riverside Youth Trust",
            "voluntary",
            "Youth work partner",
            "low",
            "high",
            "Partner meeting, monthly",
            False,
        ),
        (
            "Young Advisors",
            "Riverside Youth Trust",
            "young_people_families",
            "Young people's advisers",
            "low",
            "high",
            "Youth forum",
            True,
        ),
        (
            "Nadia Hussain",
            "Riverside Council",
            "commissioner",
            "Joint commissioner",
            "high",
            "low",
            "Quarterly board paper",
            False,
        ),
        (
            "Linda Clarke",
            "Riverside Primary School",
            "education",
            "Designated mental health lead",
            "low",
            "high",
            "Schools network",
            False,
        ),
        (
            "Family Voice Riverside",
            "Family Voice",
            "young_people_families",
            "Parent carer forum",
            "low",
            "high",
            "Newsletter",
            True,
        ),
    ],
    "EBK": [
        (
            "Emma Lowe",
            "Eastbrook Mental Health Support Team",
            "nhs_camhs",
            "MHST team lead",
            "high",
            "high",
            "Weekly team meeting",
            False,
        ),
        (
            "Graham Hill",
            "Eastbrook Learning Trust",
            "education",
            "Deputy CEO",
            "high",
            "low",
            "Termly trust board",
            False,
        ),
        (
            "Priya Nair",
            "Eastbrook High School",
            "education",
            "SENCo",
            "low",
            "high",
            "Half-termly school visit",
            False,
        ),
        (
            "Pupil wellbeing ambassadors",
            "Eastbrook High School",
            "young_people_families",
            "Pupil voice",
            "low",
            "high",
            "School council",
            True,
        ),
        (
            "Eastbrook Parent Forum",
            "Eastbrook Parent Forum",
            "young_people_families",
            "Parents",
            "low",
            "high",
            "Coffee mornings",
            True,
        ),
        (
            "Dan Cooper",
            "Eastbrook ICB",
            "commissioner",
            "MHST commissioner",
            "high",
            "low",
            "Monthly contract review",
            False,
        ),
    ],
    "WFD": [
        (
            "Rachel Green",
            "Westfield Youth Wellbeing Collective",
            "voluntary",
            "Director",
            "high",
            "high",
            "Weekly call",
            False,
        ),
        (
            "Dr Sam Iqbal",
            "Westfield Primary Care Network",
            "primary_care",
            "Clinical director",
            "high",
            "high",
            "PCN board",
            False,
        ),
        (
            "Westfield Young Researchers",
            "Westfield Youth Wellbeing Collective",
            "young_people_families",
            "Peer researchers",
            "low",
            "high",
            "Drop-in sessions",
            True,
        ),
        (
            "Tina Morris",
            "Westfield Council",
            "local_authority",
            "Community development officer",
            "low",
            "high",
            "Monthly email",
            False,
        ),
        (
            "Westfield Library Service",
            "Westfield Council",
            "local_authority",
            "Venue partner",
            "low",
            "low",
            "As needed",
            False,
        ),
        (
            "Owen Price",
            "Westfield ICB",
            "commissioner",
            "Prevention commissioner",
            "high",
            "low",
            "Quarterly report",
            False,
        ),
        (
            "Westfield Families Network",
            "Westfield Families Network",
            "young_people_families",
            "Parent carers",
            "low",
            "high",
            "Newsletter",
            True,
        ),
    ],
}

BASELINE = {"NGT": 2, "RVS": 2, "EBK": 1, "WFD": 1}


def _score(base: int, offset: int) -> int:
    return max(1, min(4, base + offset))


def _progress(world: Any, code: str, project: Any, pm: Any, info: Any) -> None:
    steps = {s.code: s for s in Step.objects.filter(programme__isnull=True)}
    for n, (step_code, (status, days)) in enumerate(PROGRESS[code].items()):
        step = steps[step_code]
        owner = pm if n % 3 else info
        target = world.today + dt.timedelta(days=days) if days is not None else None
        # Two saves, so each step shows a real history: planned, then where it stands now.
        state = services.project_step_update(
            project=project,
            step=step,
            user=pm,
            expected_version=0,
            status="in_progress" if status != "not_started" else "not_started",
            owner=owner,
            target_date=target,
        )
        extra: dict[str, Any] = {"status": status}
        if step.phase.number == 1 and status == "done":
            extra["review_on"] = world.today + dt.timedelta(days=30 + 10 * n)
        if step_code == "P1.3":
            extra["notes"] = (
                "Weekly referral extract agreed with informatics; 'closure' means different "
                "things to CAMHS and early help, so both definitions are in the data dictionary."
            )
        services.project_step_update(
            project=project, step=step, user=owner, expected_version=state.version, **extra
        )
        if status in ("done", "in_progress") and step_code in ("P1.1", "P1.2", "P1.3", "P2.5"):
            services.evidence_add_link(
                project=project,
                step=step,
                user=owner,
                title=f"{step.title}: shared notes",
                url=f"https://example.nhs.uk/{code.lower()}/{step_code.lower().replace('.', '-')}",
            )


def _meetings(world: Any, project: Any, pm: Any, info: Any, stakeholders: list[Any]) -> None:
    start = project.start_date + dt.timedelta(days=21)
    dates = [working_day(start + dt.timedelta(days=42 * n)) for n in range(5)]
    dates = [d for d in dates if d < world.today - dt.timedelta(days=7)][-4:]
    titles = ["Launch and shared plan", "Steering group", "Steering group", "Steering group"]
    for n, held_on in enumerate(dates):
        is_last = n == len(dates) - 1
        next_date = working_day(world.today + dt.timedelta(days=10)) if is_last else dates[n + 1]
        meeting = services.meeting_create(
            project=project,
            user=pm,
            attendees=stakeholders[: 4 + n % 3],
            title=titles[n],
            held_on=held_on,
            decisions=[
                "Agreed the project aim and who sits on the steering group.",
                "Agreed weekly data from informatics and a shared meaning of 'closure'.",
                "Chose the first change to test with a PDSA cycle.",
                "Agreed to report progress to the partnership board each quarter.",
            ][n % 4],
            completed=True,
            next_date=next_date,
            next_start=dt.time(10, 0),
            next_duration_minutes=90,
            next_location="Council offices, room 2, or Teams",
        )
        actions = [
            ("Circulate the notes and the updated plan", pm, 7, True),
            ("Ask informatics for the weekly referral extract", info, 14, not is_last),
            ("Invite the young people's panel to the next meeting", pm, 21, n < len(dates) - 2),
        ]
        for description, owner, days, done in actions:
            action = services.meeting_action_add(
                meeting=meeting,
                description=description,
                owner=owner,
                due_date=held_on + dt.timedelta(days=days),
            )
            if done:
                services.meeting_action_set_done(action=action, done=True)


def load(world: Any) -> None:
    principles = list(Principle.objects.filter(active=True))
    for code, project in world.projects.items():
        pm = world.users[f"demo-pm-{code.lower()}"]
        info = world.users[f"demo-info-{code.lower()}"]
        services.team_member_add(project=project, user=pm, role="Project lead", deputy=info)
        services.team_member_add(project=project, user=info, role="Data lead", deputy=pm)
        stakeholders = []
        for name, org, sector, role, influence, interest, informed, youth in STAKEHOLDERS[code]:
            stakeholders.append(
                services.stakeholder_create(
                    project=project,
                    name=name,
                    organisation=org,
                    sector=sector,
                    role=role,
                    email="" if youth else f"{name.split()[-1].lower()}@{code.lower()}.example.org",
                    influence=influence,
                    interest=interest,
                    kept_informed_by=informed,
                    represents_young_people_or_families=youth,
                )
            )
        _progress(world, code, project, pm, info)
        _meetings(world, project, pm, info, stakeholders)
        base = BASELINE[code]
        services.assessment_create(
            project=project,
            user=pm,
            kind="baseline",
            assessed_on=project.start_date + dt.timedelta(days=30),
            notes="Scored together at the launch meeting.",
            scores={
                p.pk: (_score(base, (i % 3) - 1), "Discussed at the launch meeting.")
                for i, p in enumerate(principles)
            },
        )
        services.assessment_create(
            project=project,
            user=pm,
            kind="follow_up",
            assessed_on=world.today - dt.timedelta(days=30),
            notes="Six-month review with the steering group.",
            scores={
                p.pk: (_score(base + 1, (i % 3) - 1 + (i % 2)), "Seen in the case audit.")
                for i, p in enumerate(principles)
            },
        )

"""Demo content for the improvement tools: for each demo project a driver diagram, a ramp of
three PDSA cycles (adapt, adapt, adopt) over the last 40 weeks, a reflection and a
sustainability plan assessed three times. Written through the services, so every item has a
real version history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from measures.models import Measure
from phases.models import Principle, Step
from toolkit.models import DriverNode, PdsaCycle, SustainabilityFactor

from . import services

# Per site: the aim, the drivers (primary -> secondary -> change ideas), the change idea the
# ramp tests (primary, secondary, idea indexes), and the ramp's three cycles.
CONTENT: dict[str, dict[str, Any]] = {
    "NGT": {
        "title": "Faster advice at the single point of access",
        "aim": ("Cut the median wait from referral to first contact", "from 45 to 28 days"),
        "outcome": "median_wait_days",
        "drivers": [
            (
                "Referrals reach the right support first time",
                ["median_wait_days"],
                [
                    (
                        "Clear referral criteria shared with schools and GPs",
                        [
                            "Referral guide co-written with two GP practices",
                            "Monthly drop-in for school mental health leads",
                        ],
                    ),
                    (
                        "Early conversation with every family",
                        [
                            "Triage phone call within 48 hours of referral",
                        ],
                    ),
                ],
            ),
            (
                "Community options are known and trusted",
                ["referrals_signposted"],
                [
                    (
                        "Up-to-date directory of local support",
                        [
                            "Shared online directory kept by the voluntary sector",
                        ],
                    ),
                ],
            ),
        ],
        "ramp": (0, 1, 0),
        "cycles": [
            (
                "Triage call: one duty worker, two days a week",
                "Partly",
                "Calls reached 60% of families; many could be signposted at the call.",
                "Families welcomed the call; evening slots were needed.",
            ),
            (
                "Triage call: add evening slots",
                "Yes",
                "Reach rose to 78%; median wait fell by 9 days on the run chart.",
                "Evening slots work; a script keeps calls to 20 minutes.",
            ),
            (
                "Triage call: whole duty team, five days a week",
                "Yes",
                "Median wait below 30 days for six weeks; signposting up by a third.",
                "Ready to adopt as the standard first step.",
            ),
        ],
    },
    "RVS": {
        "title": "One shared plan for young people open to two services",
        "aim": (
            "Young people open to early help and CAMHS with one shared plan",
            "from 10% to 90%",
        ),
        "outcome": "referrals_accepted",
        "drivers": [
            (
                "Workers know who else is involved",
                ["referrals_accepted"],
                [
                    ("Shared view of open cases", ["Weekly case list exchange between teams"]),
                ],
            ),
            (
                "Planning meetings include everyone",
                ["attended_contacts"],
                [
                    (
                        "Joint planning meetings",
                        [
                            "Joint planning meeting within four weeks of a second referral",
                            "Young person chooses who attends",
                        ],
                    ),
                ],
            ),
        ],
        "ramp": (1, 0, 0),
        "cycles": [
            (
                "Joint meetings for three young people",
                "Partly",
                "Two of three meetings happened; one family could not attend in school hours.",
                "Offer meetings after school.",
            ),
            (
                "Joint meetings after school for eight young people",
                "Yes",
                "Seven of eight plans agreed; waits for CAMHS unchanged.",
                "Meetings work when the young person chooses the venue.",
            ),
            (
                "Joint meetings for every new shared case",
                "Yes",
                "Shared plans rose from 10% to 85% in twelve weeks.",
                "Adopt, with a venue choice in the invitation letter.",
            ),
        ],
    },
    "EBK": {
        "title": "Guided self-help within four weeks of a school referral",
        "aim": (
            "Pupils referred by schools offered guided self-help within 4 weeks",
            "from 35% to 80%",
        ),
        "outcome": "referrals_signposted",
        "drivers": [
            (
                "Schools refer at the right time",
                ["referrals_received"],
                [
                    (
                        "Consultation before referral",
                        ["Fortnightly consultation slot in each school"],
                    ),
                ],
            ),
            (
                "Practitioners have capacity",
                ["median_wait_days"],
                [
                    (
                        "Group-based guided self-help",
                        [
                            "Six-week anxiety group in school time",
                            "Parent-led CBT sessions for primary pupils",
                        ],
                    ),
                ],
            ),
        ],
        "ramp": (1, 0, 0),
        "cycles": [
            (
                "Anxiety group pilot in one secondary school",
                "Partly",
                "Eight pupils started, five finished; group clashed with exams.",
                "Avoid exam weeks; keep groups to six.",
            ),
            (
                "Anxiety group in two schools, outside exam weeks",
                "Yes",
                "Eleven of twelve pupils finished; waits for 1:1 work fell.",
                "A co-facilitator from the school helps attendance.",
            ),
            (
                "Anxiety groups in all partner schools",
                "Yes",
                "78% offered help within 4 weeks over the last term.",
                "Adopt across the Learning Trust.",
            ),
        ],
    },
    "WFD": {
        "title": "Community wellbeing drop-ins",
        "aim": ("Avoidable referrals to specialist services", "down by 20%"),
        "outcome": "referrals_received",
        "drivers": [
            (
                "Young people find support before crisis",
                ["referrals_signposted"],
                [
                    (
                        "Drop-ins where young people already go",
                        [
                            "Saturday drop-in at the youth centre",
                            "Wellbeing session in the sixth-form common room",
                        ],
                    ),
                ],
            ),
            (
                "GPs know what the community offers",
                ["referrals_received"],
                [
                    (
                        "Link worker in the Primary Care Network",
                        ["Link worker attends PCN meetings"],
                    ),
                ],
            ),
        ],
        "ramp": (0, 0, 0),
        "cycles": [
            (
                "Saturday drop-in for four weeks",
                "Partly",
                "Twenty-two visits; few young people knew about it.",
                "Publicise through schools and social media.",
            ),
            (
                "Saturday drop-in with school publicity",
                "Yes",
                "Sixty visits in six weeks; GPs signposted nine young people.",
                "Peer volunteers make the drop-in feel safe.",
            ),
            (
                "Saturday drop-in with peer volunteers",
                "Yes",
                "Referrals to specialist services down 14% against the baseline.",
                "Adopt and seek recurrent funding.",
            ),
        ],
    },
}

REFLECTIONS = [
    ("facilitator", "partnership-working", "Partners met weekly and kept the next date booked."),
    ("facilitator", "outcome-informed", "Weekly run charts made progress visible to everyone."),
    ("facilitator", "common-language", "A shared glossary of 'closure' and 'signposting'."),
    ("barrier", "accessibility", "Sessions in school hours excluded some families."),
    ("barrier", "needs-led", "Referral forms still asked for a diagnosis."),
    ("barrier", "partnership-working", "Data sharing agreements took three months."),
]

# Levels per factor code for the three quarterly assessments: the plan gets stronger.
LEVELS = [
    dict.fromkeys(("benefits_beyond_patients", "credibility_of_benefits"), "c")
    | dict.fromkeys(("adaptability", "monitoring_progress", "staff_involvement_training"), "c")
    | dict.fromkeys(("staff_behaviours", "senior_leadership", "clinical_leadership"), "b")
    | dict.fromkeys(("fit_with_organisation", "infrastructure"), "d"),
    dict.fromkeys(("benefits_beyond_patients", "credibility_of_benefits"), "b")
    | dict.fromkeys(("adaptability", "monitoring_progress", "staff_involvement_training"), "b")
    | dict.fromkeys(("staff_behaviours", "senior_leadership", "clinical_leadership"), "b")
    | dict.fromkeys(("fit_with_organisation", "infrastructure"), "c"),
    dict.fromkeys(("benefits_beyond_patients", "credibility_of_benefits"), "a")
    | dict.fromkeys(("adaptability", "monitoring_progress", "staff_involvement_training"), "b")
    | dict.fromkeys(("staff_behaviours", "senior_leadership", "clinical_leadership"), "a")
    | {"fit_with_organisation": "b", "infrastructure": "c"},
]
ACTIONS = {
    "fit_with_organisation": "Add the change to the trust's annual plan; present at the board.",
    "infrastructure": "Write the new role into job descriptions; bid for recurrent funding.",
    "adaptability": "Train a second duty team so the change survives leave and turnover.",
    "monitoring_progress": "Keep the weekly run chart on the team meeting agenda.",
}


def load(world: Any) -> None:
    for code, project in world.projects.items():
        content = CONTENT.get(code)
        if content is None:
            continue
        user = world.users[f"demo-pm-{code.lower()}"]
        _load_project(project, user, content, world.today)


def _load_project(project: Any, user: Any, content: dict[str, Any], today: dt.date) -> None:
    steps = {s.code: s for s in Step.objects.filter(programme__isnull=True)}
    measures = {m.code: m for m in Measure.objects.all()}
    what, how_much = content["aim"]
    diagram = services.driver_diagram_create(
        project=project,
        user=user,
        title=content["title"],
        aim_what=what,
        aim_how_much=how_much,
        aim_by_when=today + dt.timedelta(weeks=26),
        outcome_measure=measures[content["outcome"]],
        step=steps.get("P1.5"),
    )
    ideas: dict[tuple[int, int, int], DriverNode] = {}
    for p, (p_text, p_measures, secondaries) in enumerate(content["drivers"]):
        primary = services.driver_node_add(
            diagram=diagram,
            user=user,
            kind=DriverNode.Kind.PRIMARY,
            text=p_text,
            measures=[measures[c] for c in p_measures],
        )
        for s, (s_text, change_ideas) in enumerate(secondaries):
            secondary = services.driver_node_add(
                diagram=diagram,
                user=user,
                kind=DriverNode.Kind.SECONDARY,
                text=s_text,
                parent=primary,
            )
            for i, idea_text in enumerate(change_ideas):
                ideas[(p, s, i)] = services.driver_node_add(
                    diagram=diagram,
                    user=user,
                    kind=DriverNode.Kind.CHANGE_IDEA,
                    text=idea_text,
                    parent=secondary,
                )
    _load_ramp(project, user, ideas[content["ramp"]], content["cycles"], measures, steps, today)
    _load_reflection(project, user, steps)
    _load_sustainability(project, user, steps, today)


def _load_ramp(project, user, idea, cycles, measures, steps, today) -> None:
    start = today - dt.timedelta(weeks=38)
    cycle = None
    for n, (title, as_planned, data_show, learning) in enumerate(cycles):
        begin = start + dt.timedelta(weeks=12 * n)
        dates = {
            "planned_start": begin,
            "planned_end": begin + dt.timedelta(weeks=8),
            "actual_start": begin + dt.timedelta(days=3),
            "actual_end": begin + dt.timedelta(weeks=8, days=3),
        }
        results = {
            "title": title,
            "carried_out_as_planned": as_planned.lower(),
            "observations": "Recorded in the weekly huddle notes.",
            "problems": "" if as_planned == "Yes" else "Staff sickness in week two.",
            "data_show": data_show,
            "matched_predictions": "partly" if n == 0 else "yes",
            "learning": learning,
            **dates,
        }
        if cycle is None:
            cycle = services.pdsa_create(
                project=project,
                user=user,
                change_idea=idea,
                number=1,
                owner="Duty team lead",
                objective=f"Test whether '{idea.text[:1].lower() + idea.text[1:]}' shortens the wait for advice.",
                purpose="Families wait too long for a first conversation.",
                change_description=idea.text,
                questions="How many families can be reached? How many can be signposted?",
                predictions="At least half of families reached; a third signposted.",
                data_to_collect="Calls made, families reached, outcome of each call (weekly).",
                step=steps.get("P3.1"),
                measures=[measures["referrals_signposted"], measures["median_wait_days"]],
                **results,
            )
            for who, what, when, where in (
                ("Duty worker", "Phone each new referral", "Within 48 hours", "SPA office"),
                ("Team administrator", "Log call outcomes", "Daily", "Referral system"),
                ("Project manager", "Update the run chart", "Every Monday", "Team meeting"),
            ):
                services.pdsa_task_add(
                    cycle=cycle, user=user, who=who, what=what, when=when, where=where
                )
        else:
            cycle = services.pdsa_update(cycle=cycle, user=user, **results)
        for stage in (PdsaCycle.Stage.DO, PdsaCycle.Stage.STUDY, PdsaCycle.Stage.ACT):
            cycle = services.pdsa_move(cycle=cycle, user=user, to_stage=stage)
        last = n == len(cycles) - 1
        cycle, successor = services.pdsa_decide(
            cycle=cycle,
            user=user,
            outcome=PdsaCycle.Outcome.ADOPT if last else PdsaCycle.Outcome.ADAPT,
            next_steps=learning,
            shared_with_community=last,  # the adopted change, in the learning library
        )
        cycle = successor or cycle


def _load_reflection(project, user, steps) -> None:
    reflection = services.reflection_create(
        project=project,
        user=user,
        title="What we learned in the first year",
        what_worked="Small tests with weekly data: the team saw change within weeks.",
        what_did_not="Planning meetings without young people present.",
        what_adapted="Moved sessions out of school hours after the first cycle.",
        lessons="Book the next partner meeting before ending the current one.",
        share_with_community=True,
        step=steps.get("P4.1"),
    )
    principles = {p.code: p for p in Principle.objects.all()}
    for kind, code, text in REFLECTIONS:
        services.reflection_factor_add(
            reflection=reflection, user=user, kind=kind, principle=principles[code], text=text
        )


def _load_sustainability(project, user, steps, today) -> None:
    plan = services.sustainability_plan_create(
        project=project,
        user=user,
        title="Sustaining the new way of working",
        notes="Keep the improvement going once the project team steps back.",
        step=steps.get("P4.2"),
    )
    codes = list(SustainabilityFactor.objects.values_list("code", flat=True))
    for n, levels in enumerate(LEVELS):
        ratings = {
            code: (
                levels.get(code, "b"),
                ACTIONS.get(code, "") if levels.get(code, "b") in ("c", "d") else "",
            )
            for code in codes
        }
        services.sustainability_assessment_save(
            plan=plan,
            user=user,
            assessed_on=today - dt.timedelta(weeks=26 - 12 * n),
            ratings=ratings,
            notes=f"Quarterly review {n + 1}.",
        )

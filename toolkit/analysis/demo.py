"""Demo content for the analysis tools: each demo project gets a fishbone (with a Five Whys opened
from one of its causes), a process map, a SWOT analysis and a priority matrix, built through the
services so each has a real version history."""

from __future__ import annotations

from typing import Any

from phases.models import Step
from toolkit.models.analysis import (
    Fishbone,
    FiveWhys,
    PriorityMatrix,
    ProcessLane,
    ProcessMap,
    ProcessStep,
    Swot,
    SwotItem,
    SwotStrategy,
)

from . import services

# Per site: the problem each project is working on, in the words a CAMHS team would use.
CONTENT: dict[str, dict[str, Any]] = {
    "NGT": {
        "problem": "Young people referred to the single point of access wait a median of 45 "
        "days for first contact.",
        "who": "Young people aged 11-18 and their families, referred by GPs and schools",
        "when": "Since the spring 2025 rise in referrals",
        "where": "Northgate single point of access (SPA)",
        "causes": {
            "People": [
                (
                    "One of three SPA administrator posts vacant since March",
                    ["Recruitment delayed by a vacancy panel"],
                ),
                ("Clinicians triage referrals alongside full caseloads", []),
            ],
            "Methods": [
                (
                    "Referrals triaged once a week, not daily",
                    ["Triage meeting fixed to Thursday afternoons"],
                ),
                ("Incomplete referrals sent back to the GP", []),
            ],
            "Equipment": [("Referral form is a PDF that arrives by email", [])],
            "Environment": [("Referrals from schools peak in September and January", [])],
        },
        "why_cause": "Referrals triaged once a week, not daily",
        "whys": [
            (
                "Why are referrals triaged once a week?",
                "The triage meeting needs three clinicians and only Thursday suits everyone.",
            ),
            (
                "Why does triage need three clinicians?",
                "The protocol asks for a consultant, a nurse and a psychologist on every referral.",
            ),
            (
                "Why does every referral need three professions?",
                "The protocol was written in 2019 after a serious incident review.",
            ),
            (
                "Why has the protocol not been reviewed?",
                "No one owns the SPA operating procedures since the service manager left.",
            ),
        ],
        "root": "The SPA operating procedures have no owner, so the 2019 triage protocol was never reviewed.",
        "actions": "Name an owner for the SPA procedures\nTest daily triage by one senior clinician for low-risk referrals (PDSA 1)",
    },
    "RVS": {
        "problem": "Young people open to both early help and CAMHS have two separate plans that "
        "often disagree.",
        "who": "About 120 young people open to both services",
        "when": "At every review",
        "where": "Riverside early help hubs and the CAMHS community team",
        "causes": {
            "People": [
                ("Workers do not know who else is involved", ["No shared list of open cases"])
            ],
            "Methods": [("Each service reviews on its own timetable", [])],
            "Equipment": [
                (
                    "Two record systems that do not talk to each other",
                    ["Consent to share not recorded in either"],
                )
            ],
            "Environment": [("Teams sit in different buildings", [])],
        },
        "why_cause": "Each service reviews on its own timetable",
        "whys": [
            (
                "Why do the services review separately?",
                "Each has its own review cycle: six-weekly in early help, twelve-weekly in CAMHS.",
            ),
            (
                "Why are the cycles different?",
                "They follow different national guidance and local contracts.",
            ),
            (
                "Why has no joint cycle been agreed?",
                "There is no forum where both service leads plan together.",
            ),
        ],
        "root": "There is no joint forum where early help and CAMHS leads agree how to plan together.",
        "actions": "Set up a monthly joint planning huddle\nPilot one shared plan template with five families",
    },
    "EBK": {
        "problem": "Only 45% of pupils referred by schools start guided self-help within 4 weeks.",
        "who": "Pupils referred by Eastbrook schools' mental health leads",
        "when": "During term time, worst in the autumn term",
        "where": "Eastbrook Mental Health Support Team",
        "causes": {
            "People": [("Education mental health practitioners still in training", [])],
            "Methods": [
                (
                    "Parents' consent collected by letter",
                    ["Letters sent home in school bags get lost"],
                )
            ],
            "Equipment": [("No room booking system in schools", [])],
            "Environment": [("Sessions clash with exams and trips", [])],
        },
        "why_cause": "Parents' consent collected by letter",
        "whys": [
            ("Why do pupils wait for a first session?", "Parental consent has not come back."),
            ("Why does consent take so long?", "The consent form goes home as a paper letter."),
            ("Why is it a paper letter?", "The team has no text or e-mail contact for parents."),
        ],
        "root": "The team cannot reach parents directly, so consent depends on paper letters.",
        "actions": "Ask schools to share parents' mobile numbers with consent\nTest text-message consent in two schools",
    },
    "WFD": {
        "problem": "Many referrals to specialist CAMHS could have been met by community support.",
        "who": "Children and young people referred by GPs in Westfield",
        "when": "All year",
        "where": "Westfield primary care and the youth wellbeing collective",
        "causes": {
            "People": [("GPs do not know the community offer", [])],
            "Methods": [("Referral is the only route GPs have", [])],
            "Equipment": [("The directory of services is out of date", ["Last updated in 2023"])],
            "Environment": [("Drop-ins only run in the town centre", [])],
        },
        "why_cause": "GPs do not know the community offer",
        "whys": [
            ("Why do GPs refer to specialist CAMHS?", "They do not know other support exists."),
            ("Why don't they know?", "The community offer is not in the GP practice systems."),
            (
                "Why is it not in the systems?",
                "No one is responsible for keeping the directory current.",
            ),
        ],
        "root": "No one keeps the local directory of support current and visible to GPs.",
        "actions": "Agree who maintains the directory\nAdd drop-in details to the GP referral template",
    },
}


def _step(code: str) -> Step | None:
    return Step.objects.filter(code=code).first()


def _fishbone(project: Any, user: Any, content: dict[str, Any]) -> None:
    fishbone = services.item_create(
        model=Fishbone,
        project=project,
        user=user,
        title="What keeps the problem going",
        step=_step("P1.3"),
        problem=content["problem"],
        who=content["who"],
        when=content["when"],
        where=content["where"],
        preset=Fishbone.Preset.CLASSIC,
    )
    categories = {c.name: c for c in fishbone.categories.all()}
    source = None
    for name, causes in content["causes"].items():
        for text, subs in causes:
            cause = services.fishbone_cause_add(
                item=fishbone, user=user, category=categories[name], text=text
            )
            if text == content["why_cause"]:
                source = cause
            for sub in subs:
                services.fishbone_cause_add(
                    item=fishbone, user=user, category=categories[name], text=sub, parent=cause
                )
    assert source is not None
    chain = services.five_whys_from_cause(item=fishbone, cause=source, user=user)
    for why, answer in content["whys"]:
        services.why_link_add(item=chain, user=user, why=why, answer=answer)
    chain = FiveWhys.objects.get(pk=chain.pk)
    services.item_update(
        item=chain,
        user=user,
        step=_step("P3.1"),
        root_causes=content["root"],
        actions=content["actions"],
        is_complete=True,
    )


def _process_map(project: Any, user: Any) -> None:
    pmap = services.item_create(
        model=ProcessMap,
        project=project,
        user=user,
        title="Referral to first contact, as it is today",
        step=_step("P1.3"),
        description="From a referral arriving to the young person's first contact with a "
        "worker. Mapped with the admin team and two clinicians.",
    )
    admin = services.process_lane_add(
        item=pmap, user=user, name="Admin team", kind=ProcessLane.Kind.TEAM
    )
    clinical = services.process_lane_add(
        item=pmap, user=user, name="Clinicians", kind=ProcessLane.Kind.TEAM
    )
    steps = {}
    for key, kind, label, lane, duration, unit, bottleneck in (
        ("in", "start", "Referral arrives", admin, None, "days", False),
        ("log", "activity", "Log referral and check it is complete", admin, 2, "days", False),
        ("wait", "wait", "Wait for the weekly triage meeting", admin, 5, "days", True),
        ("triage", "activity", "Triage by the team", clinical, 1, "hours", False),
        ("urgent", "decision", "Urgent?", clinical, None, "days", False),
        ("list", "wait", "Waiting list for first appointment", admin, 4, "weeks", True),
        ("seen", "end", "First contact", clinical, None, "days", False),
    ):
        steps[key] = services.process_step_add(
            item=pmap,
            user=user,
            kind=kind,
            label=label,
            lane=lane,
            duration=duration,
            duration_unit=unit,
            is_bottleneck=bottleneck,
        )
    for source, target, label in (
        ("in", "log", ""),
        ("log", "wait", ""),
        ("wait", "triage", ""),
        ("triage", "urgent", ""),
        ("urgent", "seen", "yes"),
        ("urgent", "list", "no"),
        ("list", "seen", "slot offered"),
    ):
        services.process_arrow_add(
            item=pmap, user=user, source=steps[source], target=steps[target], label=label
        )
    assert ProcessStep.objects.filter(process_map=pmap).count() == 7


def _swot(project: Any, user: Any) -> None:
    swot = services.item_create(
        model=Swot,
        project=project,
        user=user,
        title="Where we stand before the first test",
        step=_step("P1.5"),
        subject=f"{project.title}: our readiness to change.",
    )
    items = {}
    for key, quadrant, text, priority in (
        ("s1", "S", "Committed team who asked for this change", 1),
        ("s2", "S", "Weekly data from informatics", 2),
        ("w1", "W", "Admin vacancy and stretched clinicians", 1),
        ("w2", "W", "Procedures with no named owner", 2),
        ("o1", "O", "ICB funding for early support next year", 1),
        ("o2", "O", "Schools keen to work with us", 3),
        ("t1", "T", "Referrals keep rising", 1),
        ("t2", "T", "Winter pressures take staff away", 2),
    ):
        items[key] = services.swot_item_add(
            item=swot, user=user, quadrant=quadrant, text=text, priority=priority
        )
    services.swot_strategy_add(
        item=swot,
        user=user,
        kind=SwotStrategy.Kind.SO,
        text="Use the weekly data to make the case for the ICB early support funding.",
        items=[items["s2"], items["o1"]],
    )
    services.swot_strategy_add(
        item=swot,
        user=user,
        kind=SwotStrategy.Kind.WT,
        text="Name an owner for procedures before winter so changes survive staff moves.",
        items=[items["w2"], items["t2"]],
    )
    assert SwotItem.objects.filter(swot=swot).count() == 8


def _priority(project: Any, user: Any) -> None:
    matrix = services.item_create(
        model=PriorityMatrix,
        project=project,
        user=user,
        title="Which change to test first",
        step=_step("P1.5"),
        question="Change ideas from the fishbone and the process map.",
        method=PriorityMatrix.Method.IMPACT_EFFORT,
    )
    for name, impact, effort in (
        ("Daily triage of low-risk referrals by one senior clinician", 5, 2),
        ("Online referral form with required fields", 4, 3),
        ("New patient record system", 4, 5),
        ("Leaflet for families on what to expect", 2, 1),
        ("Extra evening clinics", 2, 4),
    ):
        services.priority_option_add(
            item=matrix, user=user, name=name, description="", impact=impact, effort=effort
        )
    weighted = services.item_create(
        model=PriorityMatrix,
        project=project,
        user=user,
        title="Weighted choice of the first test site",
        step=_step("P1.5"),
        question="Which team should test the change first.",
        method=PriorityMatrix.Method.WEIGHTED,
    )
    criteria = [
        services.priority_criterion_add(item=weighted, user=user, name=name, weight=weight)
        for name, weight in (("Benefit to young people", 5), ("Team readiness", 3), ("Cost", 2))
    ]
    for name, scores in (
        ("North locality team", (4, 5, 3)),
        ("South locality team", (5, 2, 3)),
        ("Schools team", (3, 4, 4)),
    ):
        option = services.priority_option_add(
            item=weighted, user=user, name=name, description="", impact=None, effort=None
        )
        services.priority_scores_set(
            item=weighted, option=option, user=user, scores=dict(zip(criteria, scores, strict=True))
        )


def load(world: Any) -> None:
    for code, project in world.projects.items():
        user = world.users.get(f"demo-pm-{code.lower()}") or world.lead
        content = CONTENT.get(code, CONTENT["NGT"])
        _fishbone(project, user, content)
        _process_map(project, user)
        _swot(project, user)
        _priority(project, user)

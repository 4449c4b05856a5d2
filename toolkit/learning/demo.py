"""Demo content for the learning loop: a story per demo project (one celebrated), and cycles in
flight so the dashboards have something to show: one due for study, one planned, one at Study,
and one abandoned cycle shared as learning (failing fast)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from measures.models import Measure
from phases.models import Principle
from toolkit.improvement import services as improvement
from toolkit.models import DriverNode, PdsaCycle

from . import services

Stage = PdsaCycle.Stage

# code: (title, summary, what happened, principle codes, celebrate, shared)
STORIES: dict[str, tuple[str, str, str, list[str], bool, bool]] = {
    "NGT": (
        "Families helped at the first phone call",
        "A short call within two days of referral got families advice and signposting weeks "
        "earlier, and freed specialist time for those who needed it.",
        "The duty team agreed a 20-minute script with parents on the steering group. Evening "
        "slots reached working parents. Within three months a third of families were "
        "signposted to community support at the first call, and the median wait fell below "
        "30 days.",
        ["needs-led", "accessibility", "shared-decision-making"],
        True,
        True,
    ),
    "RVS": (
        "One plan, written with the young person",
        "Early help and CAMHS workers now write one plan with the young person, in their words.",
        "Workers from both services met young people together and wrote a single plan using "
        "the young person's own goals. Duplicate assessments stopped and families told their "
        "story once.",
        ["partnership-working", "shared-decision-making", "common-language"],
        False,
        True,
    ),
    "EBK": (
        "Guided self-help in the school library",
        "Moving sessions from the clinic to a quiet room in school doubled attendance.",
        "The mental health support team ran guided self-help in school libraries in the "
        "morning. Pupils missed less lesson time and attendance doubled in a term.",
        ["accessibility", "reducing-stigma"],
        False,
        False,
    ),
    "WFD": (
        "Peer volunteers at the Saturday drop-in",
        "Young peer volunteers made the drop-in feel safe; more young people came back.",
        "Six trained peer volunteers greeted young people and ran activities. Return visits "
        "rose, and referrals to specialist services fell against the baseline.",
        ["proactive-prevention-and-promotion", "reducing-stigma"],
        False,
        True,
    ),
}


def load(world: Any) -> None:
    principles = {p.code: p for p in Principle.objects.all()}
    measures = {m.code: m for m in Measure.objects.all()}
    today = world.today
    for code, project in world.projects.items():
        user = world.users.get(f"demo-pm-{code.lower()}")
        if user is None or code not in STORIES:
            continue
        title, summary, what_happened, tags, celebrate, shared = STORIES[code]
        services.story_create(
            project=project,
            user=user,
            title=title,
            summary=summary,
            what_happened=what_happened,
            principles=[principles[c] for c in tags],
            celebrate=celebrate,
            shared_with_community=shared,
        )
        idea = (
            DriverNode.objects.filter(diagram__project=project, kind=DriverNode.Kind.CHANGE_IDEA)
            .exclude(pdsa_cycles__isnull=False)
            .order_by("pk")
            .first()
        )
        LOADERS[code](project, user, idea, measures, today)


def _cycle(project, user, idea, measures, title, codes, start, weeks, **extra) -> PdsaCycle:
    return improvement.pdsa_create(
        project=project,
        user=user,
        change_idea=idea,
        number=1,
        title=title,
        owner=extra.pop("owner", "Project manager"),
        objective=extra.pop(
            "objective", f"Test whether '{title[:1].lower() + title[1:]}' works here."
        ),
        purpose="Learn quickly whether the change is worth scaling up.",
        planned_start=start,
        planned_end=start + dt.timedelta(weeks=weeks),
        measures=[measures[c] for c in codes],
        **extra,
    )


def _move(cycle: PdsaCycle, user: Any, *stages: str) -> PdsaCycle:
    for stage in stages:
        cycle = improvement.pdsa_move(cycle=cycle, user=user, to_stage=stage)
    return cycle


def _ngt(project, user, idea, measures, today) -> None:
    # In Do, past its planned end: due for study.
    cycle = _cycle(
        project,
        user,
        idea,
        measures,
        "Referral guide: pilot with two GP practices",
        ["referrals_signposted"],
        today - dt.timedelta(weeks=6),
        5,
        owner="GP liaison lead",
        actual_start=today - dt.timedelta(weeks=6),
    )
    _move(cycle, user, Stage.DO)


def _rvs(project, user, idea, measures, today) -> None:
    _cycle(
        project,
        user,
        idea,
        measures,
        "Joint plan review at six weeks",
        ["referrals_accepted"],
        today + dt.timedelta(days=7),
        8,
        owner="Early help lead",
    )


def _ebk(project, user, idea, measures, today) -> None:
    # Failed fast: abandoned after one short cycle, and shared so other sites learn from it.
    cycle = _cycle(
        project,
        user,
        idea,
        measures,
        "Lunchtime drop-in run by teachers",
        ["referrals_received"],
        today - dt.timedelta(weeks=14),
        4,
        owner="School link worker",
        actual_start=today - dt.timedelta(weeks=14),
        actual_end=today - dt.timedelta(weeks=10),
        carried_out_as_planned="partly",
        observations="Two pupils came in four weeks; teachers were needed elsewhere at lunch.",
        data_show="No change in referrals; attendance too low to judge.",
        matched_predictions="no",
        learning="Pupils would not be seen asking for help in front of friends at lunchtime.",
    )
    cycle = _move(cycle, user, Stage.DO, Stage.STUDY, Stage.ACT)
    improvement.pdsa_decide(
        cycle=cycle,
        user=user,
        outcome=PdsaCycle.Outcome.ABANDON,
        next_steps="Offer sessions in a quiet room before school instead.",
        shared_with_community=True,
    )


def _wfd(project, user, idea, measures, today) -> None:
    cycle = _cycle(
        project,
        user,
        idea,
        measures,
        "Text reminders the day before the drop-in",
        ["referrals_received"],
        today - dt.timedelta(weeks=5),
        4,
        owner="Volunteer coordinator",
        actual_start=today - dt.timedelta(weeks=5),
        actual_end=today - dt.timedelta(weeks=1),
        carried_out_as_planned="yes",
        data_show="Return visits up from 9 to 14 a month.",
    )
    _move(cycle, user, Stage.DO, Stage.STUDY)


LOADERS = {"NGT": _ngt, "RVS": _rvs, "EBK": _ebk, "WFD": _wfd}

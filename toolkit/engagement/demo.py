"""Demo content for communication plans: each demo project tells its referrers, schools and
young people about the change."""

from __future__ import annotations

from typing import Any

from . import services

# (audience, message, channel, when, owner)
MESSAGES = [
    (
        "GPs and school nurses",
        "Refer through the single point of access; families hear from us within two days.",
        "Practice bulletin and the referrers' newsletter",
        "Monthly",
        "Clinical lead",
    ),
    (
        "Schools' mental health leads",
        "Who to call for advice before a referral, and what Getting Advice offers.",
        "Termly network meeting",
        "Each term",
        "Project manager",
    ),
    (
        "Young people's forum",
        "What is changing, why, and how young people's views shaped it.",
        "Forum meeting, with a one-page summary they wrote",
        "Every two months",
        "Participation worker",
    ),
]


def load(world: Any) -> None:
    for code, project in world.projects.items():
        user = world.users.get(f"demo-pm-{code.lower()}")
        if user is None:
            continue
        plan = services.plan_create(
            project=project,
            user=user,
            title="Telling people about the change",
            purpose="Keep referrers, schools and young people informed as the single point "
            "of access changes how help starts.",
        )
        for audience, message, channel, when, owner in MESSAGES:
            services.message_add(
                item=plan,
                user=user,
                audience=audience,
                message=message,
                channel=channel,
                when=when,
                owner=owner,
            )

"""factory_boy factories for the shared models; apps add theirs in tests/<app>/factories.py."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from projects.models import Membership, Programme, ProgrammeLead, Project, Site, ThriveFocus

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nhs.uk")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"Site {n}")
    locality = "Somewhere"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    site = factory.SubFactory(SiteFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    thrive_focus = ThriveFocus.ADVICE
    aim = "Reduce waits."
    start_date = dt.date(2025, 1, 6)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    site = factory.SubFactory(SiteFactory)
    role = Membership.Role.STAKEHOLDER


class ProgrammeLeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeLead

    user = factory.SubFactory(UserFactory)
    programme = factory.SubFactory(ProgrammeFactory)

"""Factories for measures' models."""

from __future__ import annotations

import datetime as dt

import factory

from measures.models import LocalDefinition, Measure, Upload
from tests.factories import SiteFactory


class UploadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Upload

    site = factory.SubFactory(SiteFactory)
    source = Upload.Source.WEB
    file = factory.django.FileField(filename="extract.csv", data=b"site_code,week\n")
    original_name = "extract.csv"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    status = Upload.Status.DONE


class LocalDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalDefinition

    site = factory.SubFactory(SiteFactory)
    measure = factory.LazyFunction(lambda: Measure.objects.get(code="closures"))
    local_term = "Discharges"
    definition = "Cases closed in the week, any reason."
    source_system = "RiO"
    date_agreed = dt.date(2025, 3, 1)

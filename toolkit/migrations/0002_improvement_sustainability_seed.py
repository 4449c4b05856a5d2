"""The ten factors of the NHS Sustainability Model (NHS Institute for Innovation and Improvement,
Maher, Gustafson and Evans, 2010), with a level a-d per factor and the score each level adds.

Factor names follow the model; questions and level descriptions are paraphrased. Weights:
- the level-a (highest) weights of eight factors match the maxima reported in Implementation
  Science Communications 2021, 2:97, table 5 (benefits 8.5, credibility 9.1, adaptability 7.0,
  monitoring 6.5, staff involvement 11.4, staff behaviours 11.0, senior leadership 15.0,
  infrastructure 9.5);
- clinical leadership 14.9 and fit with the organisation 7.1 are *unverified* (they make the
  ten maxima add up to 100, as the model's total does);
- every level b and c weight is *unverified* (from practice, not a source that could be read);
  level d scores 0.
They are data: a programme lead corrects them on the programme page or in the admin.
"""

from decimal import Decimal

from django.db import migrations

# code, domain, name, question, {level: (weight, description)}
FACTORS = [
    (
        "benefits_beyond_patients", "process", "Benefits beyond helping patients",
        "Besides helping patients, does the change reduce waste, make jobs easier or save money?",
        {
            "a": ("8.5", "Clear benefits beyond patients: less waste, easier jobs, saved time or money, and staff see them."),
            "b": ("5.0", "Some benefits beyond patients are seen, but not by everyone or not all the time."),
            "c": ("2.2", "Few benefits beyond patients; staff mostly see extra work."),
            "d": ("0.0", "No benefits beyond patients are seen; the change feels like a burden."),
        },
    ),
    (
        "credibility_of_benefits", "process", "Credibility of the benefits",
        "Is the evidence for the benefits believed, visible and explained well to everyone involved?",
        {
            "a": ("9.1", "The benefits are visible and backed by evidence that staff and partners believe and can describe."),
            "b": ("6.3", "There is evidence of benefit, but not everyone knows it or believes it."),
            "c": ("3.4", "Little evidence; the benefits are asserted more than shown."),
            "d": ("0.0", "No credible evidence of benefit, or staff doubt it."),
        },
    ),
    (
        "adaptability", "process", "Adaptability of the improved process",
        "Can the change keep going if key people leave, money changes or the organisation changes?",
        {
            "a": ("7.0", "The process would survive the loss of key people or funding and can adapt to change around it."),
            "b": ("5.1", "It could adapt to some changes, but depends on a few people or resources."),
            "c": ("3.4", "It would struggle if circumstances changed."),
            "d": ("0.0", "It depends wholly on particular people, funds or conditions."),
        },
    ),
    (
        "monitoring_progress", "process", "Effectiveness of the system to monitor progress",
        "Is progress measured and fed back, so that slipping back would be noticed and acted on?",
        {
            "a": ("6.5", "Progress is measured routinely, shared with staff and acted on."),
            "b": ("4.8", "Progress is measured, but feedback to staff is irregular."),
            "c": ("2.4", "Some data are collected but rarely reviewed or shared."),
            "d": ("0.0", "Nothing shows whether the change is holding."),
        },
    ),
    (
        "staff_involvement_training", "staff", "Staff involvement and training to sustain the process",
        "Were staff involved from the start, and trained for the new way of working?",
        {
            "a": ("11.4", "Staff shaped the change from the beginning and have the training and skills to keep it going."),
            "b": ("7.5", "Staff were involved and trained, but not all of them or not from the start."),
            "c": ("3.3", "Little involvement; training was limited."),
            "d": ("0.0", "Staff were not involved or trained."),
        },
    ),
    (
        "staff_behaviours", "staff", "Staff behaviours toward sustaining the change",
        "Do staff feel ownership of the change and believe it will last?",
        {
            "a": ("11.0", "Staff own the change, speak up for it and believe it will last."),
            "b": ("7.2", "Most staff support the change, with some doubts about its future."),
            "c": ("5.1", "Staff go along with it but feel little ownership."),
            "d": ("0.0", "Staff resist the change or expect it to fade."),
        },
    ),
    (
        "senior_leadership", "staff", "Senior leadership engagement",
        "Do senior leaders know about the change, take responsibility for it and help remove barriers?",
        {
            "a": ("15.0", "Senior leaders are visibly committed, share responsibility and help remove barriers."),
            "b": ("10.1", "Senior leaders support the change when asked."),
            "c": ("5.7", "Senior leaders know of the change but take little part."),
            "d": ("0.0", "Senior leaders are unaware of the change or not engaged."),
        },
    ),
    (
        "clinical_leadership", "staff", "Clinical leadership engagement",
        "Do clinical and practice leaders champion the change and help others take it up?",
        {
            "a": ("14.9", "Clinical leaders champion the change, share information and help colleagues adopt it."),
            "b": ("9.8", "Clinical leaders support the change but do not actively promote it."),
            "c": ("4.9", "Clinical leaders are lukewarm or only occasionally involved."),
            "d": ("0.0", "Clinical leaders are not engaged or oppose the change."),
        },
    ),
    (
        "fit_with_organisation", "organisation", "Fit with the organisation's strategic aims and culture",
        "Does the change fit the organisation's goals and culture, and does it have a record of sustaining change?",
        {
            "a": ("7.1", "The change fits the organisation's strategy and culture, which has sustained changes before."),
            "b": ("4.7", "It fits the strategy, but the organisation's record of sustaining change is mixed."),
            "c": ("2.9", "The fit with strategy or culture is weak."),
            "d": ("0.0", "The change runs against the organisation's aims or culture."),
        },
    ),
    (
        "infrastructure", "organisation", "Infrastructure for sustainability",
        "Are there staff, facilities, equipment, job descriptions, policies and money to keep the change going?",
        {
            "a": ("9.5", "Staffing, facilities, policies and job roles are in place to support the change long term."),
            "b": ("6.1", "Some of the infrastructure is in place; gaps remain."),
            "c": ("3.3", "The infrastructure is mostly missing or temporary."),
            "d": ("0.0", "There is no infrastructure to support the change."),
        },
    ),
]


def seed(apps, schema_editor):
    Factor = apps.get_model("toolkit", "SustainabilityFactor")
    Level = apps.get_model("toolkit", "SustainabilityLevel")
    for order, (code, domain, name, question, levels) in enumerate(FACTORS, start=1):
        factor, _ = Factor.objects.update_or_create(
            code=code,
            defaults={"domain": domain, "name": name, "question": question, "order": order},
        )
        for letter, (weight, description) in levels.items():
            Level.objects.update_or_create(
                factor=factor,
                level=letter,
                defaults={"weight": Decimal(weight), "description": description},
            )


def unseed(apps, schema_editor):
    apps.get_model("toolkit", "SustainabilityFactor").objects.filter(
        code__in=[f[0] for f in FACTORS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("toolkit", "0002_improvement_models")]

    operations = [migrations.RunPython(seed, unseed)]

"""The eight THRIVE principles (Wolpert et al., 2019), kept as data so a ninth (e.g. Equality,
Diversity and Inclusion) can be added without a release."""

from django.db import migrations

PRINCIPLES = [
    ("common-language", "Common Language",
     "Everyone (young people, families, professionals across sectors) uses the same needs-based "
     "language of the THRIVE Framework."),
    ("needs-led", "Needs-Led",
     "Help is based on need, not on severity, diagnosis or service thresholds."),
    ("shared-decision-making", "Shared Decision Making",
     "Young people and families are active partners in choosing the help they receive."),
    ("proactive-prevention-and-promotion", "Proactive Prevention and Promotion",
     "The system works to keep the whole population thriving, not only to treat."),
    ("partnership-working", "Partnership Working",
     "Agencies work together across sectors with shared responsibility."),
    ("outcome-informed", "Outcome-Informed",
     "Goals are agreed at the start and progress towards them is reviewed."),
    ("reducing-stigma", "Reducing Stigma",
     "Stigma about mental health is tackled across the system and the community."),
    ("accessibility", "Accessibility",
     "Help is easy to reach, in the places and ways young people and families can use."),
]


def seed(apps, schema_editor):
    Principle = apps.get_model("phases", "Principle")
    for order, (code, name, description) in enumerate(PRINCIPLES, start=1):
        Principle.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "order": order}
        )


def unseed(apps, schema_editor):
    apps.get_model("phases", "Principle").objects.filter(
        code__in=[code for code, _name, _description in PRINCIPLES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("phases", "0003_projects_steps_people_meetings_assessment")]
    operations = [migrations.RunPython(seed, unseed)]

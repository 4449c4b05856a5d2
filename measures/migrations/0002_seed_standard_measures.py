"""The usual CAMHS weekly measures, with codes as in the tidy sample extracts."""

from django.db import migrations

# code, name, unit, improvement, chart, rules, description
MEASURES = [
    ("referrals_received", "Referrals received", "count", "neutral", "xmr", "mdc",
     "Referrals received in the week, whatever their outcome."),
    ("referrals_accepted", "Referrals accepted", "count", "neutral", "xmr", "mdc",
     "Referrals accepted for assessment or intervention in the week."),
    ("referrals_signposted", "Referrals signposted", "count", "increase", "xmr", "mdc",
     "Referrals given advice and signposted to other support (Getting Advice) in the week."),
    ("referrals_rejected", "Referrals rejected", "count", "decrease", "xmr", "mdc",
     "Referrals not accepted and not signposted in the week."),
    ("median_wait_days", "Median wait to first contact (days)", "days", "decrease", "xmr", "mdc",
     "Median days from referral to first contact, for first contacts in the week."),
    ("wait_to_treatment_days", "Median wait to treatment (days)", "days", "decrease", "xmr",
     "mdc", "Median days from referral to the second contact (start of treatment)."),
    ("attended_contacts", "Attended contacts", "count", "increase", "xmr", "mdc",
     "Contacts attended in the week."),
    ("dnas", "Did not attend (DNAs)", "count", "decrease", "xmr", "mdc",
     "Appointments not attended without notice in the week."),
    ("appointments", "Appointments (attended + DNAs)", "count", "neutral", "xmr", "mdc",
     "Appointments that were attended or not attended without notice in the week."),
    ("dna_rate", "DNA rate (%)", "percent", "decrease", "p", "anhoej",
     "DNAs as a percentage of appointments (attended contacts plus DNAs)."),
    ("closures", "Closures", "count", "neutral", "xmr", "mdc",
     "Cases closed in the week. Local definitions differ widely: see the data dictionary."),
    ("open_caseload", "Open caseload", "count", "neutral", "xmr", "mdc",
     "Cases open at the end of the week."),
]


def seed(apps, schema_editor):
    Measure = apps.get_model("measures", "Measure")
    for order, (code, name, unit, improvement, chart, rules, description) in enumerate(
        MEASURES, start=1
    ):
        Measure.objects.update_or_create(
            code=code,
            defaults={"name": name, "unit": unit, "improvement": improvement, "chart_type": chart,
                      "rules": rules, "description": description, "order": order,
                      "multiplier": 100 if unit == "percent" else 1},
        )
    rate = Measure.objects.get(code="dna_rate")
    rate.numerator = Measure.objects.get(code="dnas")
    rate.denominator = Measure.objects.get(code="appointments")
    rate.save()


def unseed(apps, schema_editor):
    apps.get_model("measures", "Measure").objects.filter(
        code__in=[m[0] for m in MEASURES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

"""The four phases and the 16 checklist steps of the i-THRIVE Approach to Implementation
(see shared design domain.md). Kept as data so a programme lead can correct or extend them."""

from django.db import migrations

PHASES = [
    (1, "Initial considerations regarding the host setting",
     "All the thinking before taking action: who is involved, what the problem really is, and "
     "what to change first. It never really stops."),
    (2, "Creating a structure for implementation",
     "Be in the best position to start: teams, capacity, training, community of practice and "
     "measurement."),
    (3, "Ongoing structure once implementation begins",
     "Take action: test changes with PDSA cycles, ask for help, and feed back."),
    (4, "Improving future applications",
     "Turn what worked into business as usual and learn from the experience."),
]

STEPS = [
    ("P1.1", 1, "Set up and governance",
     "Who is in the project team, who the key stakeholders are, and how information is shared.",
     "stakeholder register"),
    ("P1.2", 1, "Engagement",
     "Who has an interest or is impacted; meet them (cross-sector partners, referrers, young "
     "people) and agree a shared plan; book the next meeting before ending.",
     "meetings"),
    ("P1.3", 1, "Understanding your system",
     "The problem and the evidence for it; weekly (at most monthly) data from informatics; "
     "shared meaning of data across sectors; what maintains the problem.",
     "fishbone, process map, SWOT, run charts"),
    ("P1.4", 1, "THRIVE assessment", "Baseline score of the eight THRIVE principles.",
     "THRIVE assessment"),
    ("P1.5", 1, "Prioritisation", "Which issue first, and why this change.",
     "priority setting matrix, driver diagram"),
    ("P1.6", 1, "Implementation planning",
     "Who, what, when, where and why of the first small test.",
     "driver diagram, PDSA plan, MINDSet"),
    ("P2.1", 2, "Developing implementation teams",
     "Shared understanding of expectations among those testing the change.", ""),
    ("P2.2", 2, "Workforce planning",
     "Capacity to try something new, and how to create it.", ""),
    ("P2.3", 2, "Local community of practice",
     "Talk to others implementing THRIVE and share learning.", "learning log"),
    ("P2.4", 2, "Training",
     "Training that builds capacity (THRIVE, local QI teams, AHSNs).", ""),
    ("P2.5", 2, "Measurements",
     "Which data, how to get it, what it means to each sector; report building.",
     "measures, data dictionary"),
    ("P3.1", 3, "Making changes using QI",
     "PDSA cycles; refine, scale up, or stop what does not work.",
     "PDSA, Five Whys, run charts"),
    ("P3.2", 3, "Technical assistance",
     "Ask for help: colleagues, the national programme, QI coaching.", ""),
    ("P3.3", 3, "Supportive feedback mechanisms",
     "Reflect with others; community of practice events.", "learning log, dashboards"),
    ("P4.1", 4, "Learning from experience",
     "What kept people on board; what embedded past initiatives.", "reflection"),
    ("P4.2", 4, "Sustainability",
     "A standing agenda item; data still monitored at reduced frequency.",
     "sustainability plan"),
]


def seed(apps, schema_editor):
    Phase = apps.get_model("phases", "Phase")
    Step = apps.get_model("phases", "Step")
    phases = {}
    for number, name, summary in PHASES:
        phases[number], _ = Phase.objects.update_or_create(
            number=number, defaults={"name": name, "summary": summary}
        )
    for order, (code, number, title, prompt, tools) in enumerate(STEPS, start=1):
        Step.objects.update_or_create(
            code=code,
            defaults={"phase": phases[number], "title": title, "prompt": prompt,
                      "tools": tools, "order": order},
        )


def unseed(apps, schema_editor):
    apps.get_model("phases", "Step").objects.filter(programme__isnull=True).delete()
    apps.get_model("phases", "Phase").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("phases", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

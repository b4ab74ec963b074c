"""R1: the closed list of legal objectives (AI Act Art. 5(1)(h)); all enabled until an administrator says otherwise."""

from django.db import migrations

OBJECTIVES = [
    (
        "victims",
        "(a) Targeted search for specific victims or missing persons",
        "Targeted search for specific victims of abduction, trafficking in human beings or sexual exploitation "
        "of human beings, as well as the search for missing persons.",
    ),
    (
        "threat",
        "(b) Prevention of a specific, substantial and imminent threat",
        "Prevention of a specific, substantial and imminent threat to the life or physical safety of natural "
        "persons, or of a genuine and present or foreseeable threat of a terrorist attack.",
    ),
    (
        "suspect",
        "(c) Locating a suspect of a serious criminal offence",
        "Localisation or identification of a person suspected of having committed a criminal offence listed in "
        "Annex II of the AI Act, punishable by a custodial sentence of a maximum period of at least four years.",
    ),
]


def create_objectives(apps, schema_editor):
    Objective = apps.get_model("oversight", "Objective")
    for code, label, description in OBJECTIVES:
        Objective.objects.update_or_create(code=code, defaults={"label": label, "description": description})


def remove_objectives(apps, schema_editor):
    Objective = apps.get_model("oversight", "Objective")
    Objective.objects.filter(code__in=[code for code, _, _ in OBJECTIVES], cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("oversight", "0003_cases_decisions_votes")]
    operations = [migrations.RunPython(create_objectives, remove_objectives)]

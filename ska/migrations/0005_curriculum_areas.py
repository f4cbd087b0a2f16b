"""The curriculum's chapter 2 areas (Lpfö 18, Lgr 22) and the conditions areas, as data."""

from django.db import migrations

# (code, name, kind, school form codes, sort order)
AREAS = [
    ("normer-och-varden", "Normer och värden", "curriculum", ["forskola", "grundskola", "fritidshem"], 10),
    ("kunskaper", "Kunskaper", "curriculum", ["grundskola", "fritidshem"], 20),
    ("omsorg-utveckling-larande", "Omsorg, utveckling och lärande", "curriculum", ["forskola"], 21),
    ("elevernas-ansvar-och-inflytande", "Elevernas ansvar och inflytande", "curriculum", ["grundskola", "fritidshem"], 30),
    ("barns-delaktighet-och-inflytande", "Barns delaktighet och inflytande", "curriculum", ["forskola"], 31),
    ("skola-och-hem", "Skola och hem", "curriculum", ["grundskola", "fritidshem"], 40),
    ("forskola-och-hem", "Förskola och hem", "curriculum", ["forskola"], 41),
    ("overgang-samverkan-omvarld", "Övergång, samverkan och omvärld", "curriculum", ["grundskola", "fritidshem", "forskola"], 50),
    ("betyg-och-bedomning", "Betyg och bedömning", "curriculum", ["grundskola"], 60),
    ("uppfoljning-utvardering-utveckling", "Uppföljning, utvärdering och utveckling", "curriculum", ["forskola"], 61),
    ("rektorns-ansvar", "Rektorns ansvar", "curriculum", ["forskola", "grundskola", "fritidshem"], 70),
    ("larmiljo", "Lärmiljö", "conditions", [], 110),
    ("personal", "Personal", "conditions", [], 120),
    ("organisation", "Organisation", "conditions", [], 130),
    ("resurstilldelning", "Resurstilldelning", "conditions", [], 140),
]


def add_areas(apps, schema_editor):
    CurriculumArea = apps.get_model("ska", "CurriculumArea")
    SchoolForm = apps.get_model("ska", "SchoolForm")
    for code, name, kind, forms, sort_order in AREAS:
        area, created = CurriculumArea.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "sort_order": sort_order}
        )
        if created:
            area.school_forms.set(SchoolForm.objects.filter(code__in=forms))


class Migration(migrations.Migration):
    dependencies = [("ska", "0004_goal_chain")]

    operations = [migrations.RunPython(add_areas, migrations.RunPython.noop)]

"""The school forms of the Education Act, as data that a municipality can extend in the admin."""

from django.db import migrations

SCHOOL_FORMS = [
    ("forskola", "Förskola", 10),
    ("grundskola", "Grundskola", 20),
    ("fritidshem", "Fritidshem", 30),
    ("komvux", "Komvux", 40),
    ("kulturskola", "Kulturskola", 50),
    ("pedagogisk-omsorg", "Pedagogisk omsorg", 60),
]


def add_school_forms(apps, schema_editor):
    SchoolForm = apps.get_model("ska", "SchoolForm")
    for code, name, sort_order in SCHOOL_FORMS:
        SchoolForm.objects.get_or_create(code=code, defaults={"name": name, "sort_order": sort_order})


class Migration(migrations.Migration):
    dependencies = [("ska", "0001_initial")]

    operations = [migrations.RunPython(add_school_forms, migrations.RunPython.noop)]

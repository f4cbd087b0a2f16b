"""One reminder setting per event kind, with the defaults the product ships with."""

from django.db import migrations

DEFAULT_REMINDER_DAYS = {
    "follow_up_deadline": 7,
    "report_deadline": 14,
    "dialogue_round": 14,
    "survey": 7,
    "strategy_day": 3,
    "analysis_day": 7,
}
KINDS = [
    "committee_meeting",
    "leader_forum",
    "strategy_day",
    "analysis_day",
    "follow_up_deadline",
    "report_deadline",
    "dialogue_round",
    "survey",
    "financial",
    "other",
]


def create(apps, schema_editor):
    setting = apps.get_model("annualwheel", "EventKindSetting")
    for kind in KINDS:
        setting.objects.get_or_create(kind=kind, defaults={"reminder_days": DEFAULT_REMINDER_DAYS.get(kind, 0)})


class Migration(migrations.Migration):
    dependencies = [("annualwheel", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]

# Deal rules: the working-day calendar of a country (default RU) and inactivity in calendar months.

from django.db import migrations, models


def _months(days):
    return max(1, (days + 15) // 30) if days else 0


def days_to_months(apps, schema_editor):
    """Each version's inactivity limit in whole calendar months (90 days → 3), in its row and its document."""
    ProgrammeVersion = apps.get_model("programmes", "ProgrammeVersion")
    for v in ProgrammeVersion.objects.all().iterator():
        v.deal_inactivity_months = _months(v.deal_inactivity_days)
        block = (v.document or {}).get("deal_registration")
        if isinstance(block, dict):
            block.pop("inactivity_days", None)
            block["inactivity_months"] = v.deal_inactivity_months  # the row is what the rules were read from
            block.setdefault("calendar", "RU")
        v.save(update_fields=["deal_inactivity_months", "document"])


def months_to_days(apps, schema_editor):
    ProgrammeVersion = apps.get_model("programmes", "ProgrammeVersion")
    for v in ProgrammeVersion.objects.all().iterator():
        v.deal_inactivity_days = v.deal_inactivity_months * 30
        block = (v.document or {}).get("deal_registration")
        if isinstance(block, dict):
            block["inactivity_days"] = v.deal_inactivity_days
            block.pop("inactivity_months", None)
            block.pop("calendar", None)
        v.save(update_fields=["deal_inactivity_days", "document"])


class Migration(migrations.Migration):

    dependencies = [
        ('programmes', '0002_deal_rules'),
    ]

    operations = [
        migrations.AddField(
            model_name='programmeversion',
            name='deal_calendar',
            field=models.CharField(default='RU', help_text='an ISO 3166 country code', max_length=8, verbose_name='working-day calendar (country)'),
        ),
        migrations.AddField(
            model_name='programmeversion',
            name='deal_inactivity_months',
            field=models.PositiveIntegerField(default=3, verbose_name='flag a deal without movement for more than (calendar months)'),
        ),
        migrations.RunPython(days_to_months, months_to_days),
        migrations.RemoveField(
            model_name='programmeversion',
            name='deal_inactivity_days',
        ),
    ]

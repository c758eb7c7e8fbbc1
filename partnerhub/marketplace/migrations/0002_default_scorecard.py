"""The admission scorecard's default criteria (source document 000): complexity, innovation, demand."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    ("complexity", "Сложность решения", "Complexity of the solution", Decimal("30"), 1),
    ("innovation", "Инновационность (прорывные технологии)", "Innovation (use of breakthrough technologies)",
     Decimal("40"), 2),
    ("demand", "Спрос текущих и потенциальных заказчиков", "Demand from current and prospective customers",
     Decimal("30"), 3),
]  # fmt: skip


def add(apps, schema_editor):
    criterion = apps.get_model("marketplace", "ScoreCriterion")
    for code, name_ru, name_en, weight, position in DEFAULTS:
        criterion.objects.get_or_create(
            code=code, defaults={"name_ru": name_ru, "name_en": name_en, "weight": weight, "position": position}
        )


def remove(apps, schema_editor):
    apps.get_model("marketplace", "ScoreCriterion").objects.filter(code__in=[d[0] for d in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_listings_admission_storefronts")]
    operations = [migrations.RunPython(add, remove)]

"""Name keys drop more legal forms now (РАО, НПО, Лтд, Инк, Лимитед, Корп…): recompute the stored ones
so that existing claims and new registrations are compared key for key."""

from django.db import migrations


def recompute(apps, schema_editor):
    from partnerhub.deals.keys import name_key

    Claim = apps.get_model("deals", "Claim")
    changed = []
    for claim in Claim.objects.only("id", "customer_name", "name_key").iterator(chunk_size=2000):
        key = name_key(claim.customer_name)
        if key != claim.name_key:
            claim.name_key = key
            changed.append(claim)
        if len(changed) >= 2000:
            Claim.objects.bulk_update(changed, ["name_key"])
            changed = []
    Claim.objects.bulk_update(changed, ["name_key"])


class Migration(migrations.Migration):
    dependencies = [("deals", "0003_list_indexes")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]

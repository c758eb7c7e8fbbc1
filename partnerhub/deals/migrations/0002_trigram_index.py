"""PostgreSQL: a trigram index over the names of active claims, for the fuzzy matcher."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS claim_active_name_trgm ON deals_claim USING gin (name_key gin_trgm_ops)"
        " WHERE status IN ('pending', 'held', 'protected')"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS claim_active_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

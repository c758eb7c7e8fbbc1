"""The database itself refuses to change or delete a posted ledger entry or line (SQLite and PostgreSQL).

Mistakes are put right by further entries. PostgreSQL's TRUNCATE (how a test database is emptied) does not
fire row triggers; nothing in the product deletes ledger rows.
"""

from django.db import migrations

TABLES = ("rewards_journalentry", "rewards_ledgerline")

SQLITE_UP = [
    f"CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} "
    f"BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END;"
    for t in TABLES
    for op in ("UPDATE", "DELETE")
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {t}_no_{op.lower()};" for t in TABLES for op in ("UPDATE", "DELETE")]

PG_UP = [
    """CREATE OR REPLACE FUNCTION rewards_ledger_refuse_change() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END; $$ LANGUAGE plpgsql;""",
    *[
        f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
        f"FOR EACH ROW EXECUTE FUNCTION rewards_ledger_refuse_change();"
        for t in TABLES
    ],
]
PG_DOWN = [
    *[f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in TABLES],
    "DROP FUNCTION IF EXISTS rewards_ledger_refuse_change();",
]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_UP if vendor == "sqlite" else PG_UP if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DOWN if vendor == "sqlite" else PG_DOWN if vendor == "postgresql" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("rewards", "0005_rating_and_ledger")]
    operations = [migrations.RunPython(up, down)]

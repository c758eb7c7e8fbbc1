"""The conflict check finds names by exact keys (deals.keys.match_keys) instead of trigram similarity.

Adds ``Claim.match_keys``, fills it for every claim, and on PostgreSQL replaces the trigram index over
the active claims' names with a GIN index over their match keys (a ``text[]`` column) and a function
that looks names up through it.
"""

from django.db import migrations

import partnerhub.deals.fields


def fill(apps, schema_editor):
    from partnerhub.deals.keys import match_keys

    Claim = apps.get_model("deals", "Claim")
    batch = []
    for claim in Claim.objects.only("id", "name_key").iterator(chunk_size=2000):
        claim.match_keys = match_keys(claim.name_key)
        batch.append(claim)
        if len(batch) >= 2000:
            Claim.objects.bulk_update(batch, ["match_keys"])
            batch = []
    if batch:
        Claim.objects.bulk_update(batch, ["match_keys"])


# The conflict check's name lookups (deals.matching): the same key, one character more or less, one slip,
# a shared word; each arm capped on its own. The index is over an expression that is NULL for inactive
# claims rather than partial: a partial index's expression has no statistics the planner uses, and its
# predicate would let the planner read every active claim through any other partial index on the same
# predicate instead. With sequential scans off while the function runs, the GIN index is the only way
# left, at every table size (see deals.matching.NAME_CANDIDATES_SQL). The index takes each registration's
# keys at once (fastupdate off): a pending list of unsorted entries, which every lookup reads in full until
# vacuum merges it, made a lookup in a 3,000-claim registry cost 10 ms.
_ARM = """(SELECT c.id, c.name_key, 'name' FROM deals_claim c
  WHERE (CASE WHEN c.status IN ('pending', 'held', 'protected') THEN c.match_keys END) && {keys}
    AND c.organisation_id <> org LIMIT cap)"""
NAME_CANDIDATES_FUNCTION = """
CREATE OR REPLACE FUNCTION deals_name_candidates(
    same text[], near text[], slip text[], word text[], org bigint, cap integer
) RETURNS TABLE (id bigint, name_key varchar, found_by text)
LANGUAGE sql STABLE
SET enable_seqscan = off
SET enable_indexscan = off
AS $$
%s
$$
""" % "\nUNION ALL\n".join(_ARM.format(keys=arm) for arm in ("same", "near", "slip", "word"))


def index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS claim_active_match_keys ON deals_claim USING gin ("
        "(CASE WHEN status IN ('pending', 'held', 'protected') THEN match_keys END)) WITH (fastupdate = off)"
    )
    schema_editor.execute("DROP INDEX IF EXISTS claim_active_name_trgm")
    schema_editor.execute(NAME_CANDIDATES_FUNCTION)


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION IF EXISTS deals_name_candidates")
    schema_editor.execute("DROP INDEX IF EXISTS claim_active_match_keys")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS claim_active_name_trgm ON deals_claim USING gin (name_key gin_trgm_ops)"
        " WHERE status IN ('pending', 'held', 'protected')"
    )


class Migration(migrations.Migration):
    dependencies = [("deals", "0005_uploads_checked_by_content")]
    operations = [
        migrations.AddField(model_name="claim", name="match_keys", field=partnerhub.deals.fields.KeyListField()),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
    ]

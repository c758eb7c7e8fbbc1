"""Inserting many rows at once.

On PostgreSQL rows go through COPY: Django's bulk_create quotes every value of its UNNEST
arrays on the client, which for large JSON values (tier explanations, audit snapshots)
costs more than the database work. Elsewhere (SQLite, the embedded default) bulk_create.
Primary keys are not set on the objects afterwards; callers that need them use bulk_create.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models


def insert_many(model: type[models.Model], objs: Sequence[models.Model], *, batch_size: int = 2000) -> None:
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and getattr(objs[0], f.attname) is None)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    for f in fields:  # auto_now_add and friends
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            for o in objs:
                f.pre_save(o, add=True)
    with connection.cursor() as cur, cur.connection.cursor().copy(
        f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    ) as copy:  # fmt: skip
        for o in objs:
            copy.write_row([
                json.dumps(getattr(o, f.attname), cls=DjangoJSONEncoder) if f.attname in json_fields
                and getattr(o, f.attname) is not None else getattr(o, f.attname)
                for f in fields
            ])  # fmt: skip

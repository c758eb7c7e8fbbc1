"""Inserting many rows at once, and passing many ids to one query.

On PostgreSQL rows go through COPY: Django's bulk_create quotes every value of its UNNEST
arrays on the client, which for large JSON values (tier explanations, audit snapshots)
costs more than the database work. Elsewhere (SQLite, the embedded default) bulk_create.
Primary keys are not set on the objects afterwards; callers that need them use bulk_create.

``insert_rows`` takes plain tuples instead of model instances: building 50,000 instances (with
their foreign-key descriptors) costs more than writing them. ``id_list`` sends a list of ids as
one array parameter on PostgreSQL: ``pk__in=[5,000 ids]`` would be compiled and split into
5,000 placeholders on every query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone


class RawJSON(str):
    """A JSON value already serialised: written as it is (serialising it once serves many rows)."""


def insert_many(model: type[models.Model], objs: Sequence[models.Model], *, batch_size: int = 2000) -> None:
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and getattr(objs[0], f.attname) is None)]
    for f in fields:  # auto_now_add and friends
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            for o in objs:
                f.pre_save(o, add=True)
    _copy(model, fields, ([getattr(o, f.attname) for f in fields] for o in objs))


def insert_rows(model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples in the order of ``attnames``) into ``model``'s table.

    Every other concrete field gets its default (``auto_now_add``: now), as ``Model.save`` would
    give it; the primary key is left to the database. JSON values may be ``RawJSON``.
    """
    rows = list(rows)
    if not rows:
        return
    given = {name: i for i, name in enumerate(attnames)}
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    unknown = set(given) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
    now = timezone.now()
    defaults = {
        f.attname: now if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False) else f.get_default()
        for f in fields
        if f.attname not in given
    }

    def full(row: Sequence[Any]) -> list[Any]:
        return [row[given[f.attname]] if f.attname in given else defaults[f.attname] for f in fields]

    if connection.vendor != "postgresql":
        objs = []
        for row in rows:
            values = full(row)
            kwargs = {
                f.attname: json.loads(v) if isinstance(v, RawJSON) else v for f, v in zip(fields, values, strict=True)
            }
            objs.append(model(**kwargs))
        model.objects.bulk_create(objs, batch_size=2000)
        return
    _copy(model, fields, (full(row) for row in rows))


def _copy(model: type[models.Model], fields: list, rows: Iterable[list[Any]]) -> None:
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    with connection.cursor() as cur, cur.connection.cursor().copy(
        f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    ) as copy:  # fmt: skip
        for row in rows:
            for i in json_at:
                value = row[i]
                if value is not None and not isinstance(value, RawJSON):
                    row[i] = json.dumps(value, cls=DjangoJSONEncoder)
            copy.write_row(row)


def id_list(ids: Sequence[int]) -> Sequence[int] | RawSQL:
    """``ids`` for an ``__in`` lookup: one array parameter on PostgreSQL, the list elsewhere."""
    if connection.vendor != "postgresql":
        return ids
    return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])

"""A list of short strings stored as PostgreSQL ``text[]`` (GIN-indexable, with element statistics) and
as space-separated text on SQLite, where nothing queries it by element."""

from __future__ import annotations

from django.db import models


class KeyListField(models.Field):
    description = "A list of space-free strings"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key, value in (("default", list), ("blank", True), ("editable", False)):
            if kwargs.get(key) is value:
                del kwargs[key]
        return name, path, args, kwargs

    def db_type(self, connection):
        return "text[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        items = [str(item) for item in (value or [])]
        return items if connection.vendor == "postgresql" else " ".join(items)

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else value.split()

"""A translatable message with its parameters, rendered in the reader's language when shown.

``Reason(_("The vendor answered %(status)s."), status=500)`` keeps the lazy message and the
values apart, so a report made by a worker in one language reads right in another.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


class Reason:
    __slots__ = ("message", "params")

    def __init__(self, message, **params: Any) -> None:
        self.message = message
        self.params = params

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text

    def __repr__(self) -> str:
        return f"Reason({str(self)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Reason) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def as_dict(self) -> dict[str, Any]:
        """The untranslated message and its parameters (translatable ones nested the same way) and the
        text as rendered now: JSON to store, ``Reason.from_dict`` to show it later in any language."""
        return {
            "message": _msgid(self.message),
            "params": {k: _stored(v) for k, v in self.params.items()},
            "text": str(self),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reason:
        params = {k: cls.from_dict(v) if isinstance(v, dict) else v for k, v in data.get("params", {}).items()}
        return cls(gettext_lazy(data["message"]), **params)


def _msgid(message) -> str:
    return getattr(message, "_args", (str(message),))[0] if isinstance(message, Promise) else str(message)


def _stored(value):
    if isinstance(value, Reason):
        return value.as_dict()
    if isinstance(value, Promise):
        return {"message": _msgid(value), "params": {}}
    return str(value)

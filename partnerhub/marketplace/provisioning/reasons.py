"""A translatable message with its parameters, rendered in the reader's language when shown.

``Reason(_("The vendor answered %(status)s."), status=500)`` keeps the lazy message and the
values apart, so a report made by a worker in one language reads right in another.
"""

from __future__ import annotations

from typing import Any


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
        """The untranslated message and its parameters, for storing (``gettext(message) % params`` shows it)."""
        message = getattr(self.message, "_args", (str(self.message),))[0]
        return {"message": message, "params": {k: str(v) for k, v in self.params.items()}, "text": str(self)}

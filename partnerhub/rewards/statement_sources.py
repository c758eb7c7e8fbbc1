"""What a statement names as the source of a ledger entry that is not a rated sale: the contest or SPIF of a
prize, the quarter of a rebate, the development-funds claim. The contexts that post them (incentives, funds)
sit above rewards, so they register a namer here (in their AppConfig.ready) and rewards never imports them.
An entry without a namer shows its memo."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext

from .models import JournalEntry

Namer = Callable[[list[int]], dict[int, str]]  # entry ids -> the source's name, in the reader's language

_NAMERS: dict[str, Namer] = {}

# The kinds a statement shows as their own sections, each entry traced to its source.
OTHER_KINDS = (JournalEntry.Kind.REBATE, JournalEntry.Kind.INCENTIVE, JournalEntry.Kind.FUND_CLAIM,
               JournalEntry.Kind.ADJUSTMENT)  # fmt: skip


def register(kind: str, namer: Namer) -> None:
    _NAMERS[kind] = namer


def sources(entries: Iterable[JournalEntry]) -> dict[int, str]:
    """The source of each entry: one namer call per kind for all of them."""
    entries = list(entries)
    out = {e.pk: gettext(e.memo) for e in entries}  # a memo the engine wrote is a message id: shown translated
    by_kind: dict[str, list[int]] = {}
    for e in entries:
        by_kind.setdefault(e.kind, []).append(e.pk)
    for kind, ids in by_kind.items():
        if kind in _NAMERS:
            out.update({k: v for k, v in _NAMERS[kind](ids).items() if v})
    return out

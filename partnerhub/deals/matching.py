"""The one matcher every claim on a customer goes through.

A new claim is compared with the active claims (awaiting approval, under review, protected)
of every other organisation, the vendor's direct opportunities included:

* INN: equal digits;
* e-mail or web domain: equal registrable domain (public mail services never match);
* name: the normalised keys of :mod:`partnerhub.deals.keys` scored with rapidfuzz's
  token-sort ratio against ``settings.DEALS_NAME_MATCH_THRESHOLD``.

On PostgreSQL the name candidates come from a trigram index (pg_trgm) over the active
claims only, so the check reads a handful of rows, not the table. On SQLite (the embedded
default, small data) the active names are scored directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from rapidfuzz import fuzz

from .models import Claim

ACTIVE = [str(s) for s in Claim.ACTIVE]
MAX_CANDIDATES = 50


@dataclass
class Match:
    claim_id: int
    score: int = 0
    reasons: list[dict] = field(default_factory=list)

    def add(self, key: str, score: int) -> None:
        self.reasons.append({"key": key, "score": score})
        self.score = max(self.score, score)


def _name_candidates(name_key: str, exclude_organisation_id: int | None) -> list[tuple[int, str]]:
    if not name_key:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [settings.DEALS_TRIGRAM_THRESHOLD]
            )
            cur.execute(
                "SELECT id, name_key FROM deals_claim"
                " WHERE status IN ('pending', 'held', 'protected') AND name_key %% %s AND organisation_id <> %s"
                " ORDER BY similarity(name_key, %s) DESC LIMIT %s",
                [name_key, exclude_organisation_id or 0, name_key, MAX_CANDIDATES],
            )
            return list(cur.fetchall())
    rows = Claim.objects.filter(status__in=ACTIVE).exclude(organisation_id=exclude_organisation_id)
    return list(rows.values_list("id", "name_key"))


def find_matches(
    *,
    name_key: str,
    inn: str = "",
    domain_key: str = "",
    exclude_organisation_id: int | None = None,
    exclude_claim_id: int | None = None,
) -> list[Match]:
    """Active claims of other organisations on what looks like the same customer, best first."""
    found: dict[int, Match] = {}

    def hit(claim_id: int, key: str, score: int) -> None:
        if claim_id != exclude_claim_id:
            found.setdefault(claim_id, Match(claim_id)).add(key, score)

    others = Claim.objects.filter(status__in=ACTIVE).exclude(organisation_id=exclude_organisation_id)
    if inn:
        for pk in others.filter(customer_inn=inn).values_list("id", flat=True)[:MAX_CANDIDATES]:
            hit(pk, "inn", 100)
    if domain_key:
        for pk in others.filter(domain_key=domain_key).values_list("id", flat=True)[:MAX_CANDIDATES]:
            hit(pk, "domain", 100)
    threshold = settings.DEALS_NAME_MATCH_THRESHOLD
    for pk, other_key in _name_candidates(name_key, exclude_organisation_id):
        score = round(fuzz.token_sort_ratio(name_key, other_key))
        if score >= threshold:
            hit(pk, "name", score)
    return sorted(found.values(), key=lambda m: (-m.score, -len(m.reasons), m.claim_id))

"""The one matcher every claim on a customer goes through.

A new claim is compared with the active claims (awaiting approval, under review, protected)
of every other organisation, the vendor's direct opportunities included:

* INN: equal digits;
* e-mail or web domain: equal registrable domain (public mail services never match);
* name: the normalised keys of :mod:`partnerhub.deals.keys` scored with rapidfuzz's
  token-sort ratio against ``settings.DEALS_NAME_MATCH_THRESHOLD``; names that differ only by
  the feminine ending of a surname (Кудряшов / Кудряшова) are two customers, never a match.
  ``benchmarks/deal_matching.py`` measures recall and precision on a labelled set and the
  thresholds around the defaults.

On PostgreSQL the check is one round trip: one statement joins the INN, domain and name
candidates (``UNION ALL`` of three partial-index scans over the active claims only; the names
through the trigram GIN index with pg_trgm's ``%`` operator, whose threshold the same round trip
sets for this name: :func:`trigram_threshold`),
capped at ``MAX_CANDIDATES`` each, and the
names are then scored in Python. On SQLite (the embedded default, small data) the active claims
are read and scored directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from rapidfuzz import fuzz

from .models import Claim

ACTIVE = [str(s) for s in Claim.ACTIVE]
MAX_CANDIDATES = 50


def _gendered_pair(a: str, b: str) -> bool:
    """True when two names differ only by the feminine ending of surnames: "kudriashov" and
    "kudriashova" are two people (often husband and wife), so their firms are two customers."""
    ta, tb = a.split(), b.split()
    if len(ta) != len(tb) or ta == tb:
        return False
    for x, y in zip(ta, tb, strict=True):
        if x != y and not (len(min(x, y, key=len)) >= 4 and (x + "a" == y or y + "a" == x)):
            return False
    return True


def name_score(a: str, b: str) -> int:
    """0-100: how alike two name keys are (rapidfuzz's token-sort ratio; 0 for a gendered pair)."""
    if _gendered_pair(a, b):
        return 0
    return round(fuzz.token_sort_ratio(a, b))


@dataclass
class Match:
    claim_id: int
    score: int = 0
    reasons: list[dict] = field(default_factory=list)

    def add(self, key: str, score: int) -> None:
        self.reasons.append({"key": key, "score": score})
        self.score = max(self.score, score)


CANDIDATES_SQL = """
(SELECT id, name_key, 'inn' FROM deals_claim
  WHERE status IN ('pending', 'held', 'protected') AND customer_inn = %(inn)s AND %(inn)s <> ''
    AND organisation_id <> %(org)s LIMIT %(cap)s)
UNION ALL
(SELECT id, name_key, 'domain' FROM deals_claim
  WHERE status IN ('pending', 'held', 'protected') AND domain_key = %(domain)s AND %(domain)s <> ''
    AND organisation_id <> %(org)s LIMIT %(cap)s)
UNION ALL
(SELECT id, name_key, 'name' FROM deals_claim
  WHERE status IN ('pending', 'held', 'protected') AND name_key %% %(name)s AND %(name)s <> ''
    AND organisation_id <> %(org)s
  ORDER BY similarity(name_key, %(name)s) DESC LIMIT %(cap)s)
"""


def trigram_threshold(name_key: str) -> float:
    """pg_trgm's ``%`` floor for this name: ``DEALS_TRIGRAM_THRESHOLD``, lowered for a short name just
    enough that a slip of the keyboard (an adjacent swap changes up to 4 of its trigrams) still makes
    the other spelling a candidate, never below ``DEALS_TRIGRAM_FLOOR``. A long name keeps the
    configured threshold, so its candidate query stays narrow; a short one has few trigrams to search
    by. The rapidfuzz score decides the match either way (``benchmarks/deal_matching.py``)."""
    configured = float(settings.DEALS_TRIGRAM_THRESHOLD)
    trigrams = sum(len(word) + 1 for word in name_key.split())  # pg_trgm pads each word: n letters, n + 1
    one_slip = (trigrams - 4) / (trigrams + 4) - 0.01 if trigrams > 4 else 0.0
    return round(max(float(settings.DEALS_TRIGRAM_FLOOR), min(configured, one_slip)), 2)


# Sent with every candidate query, in the same round trip (one message, two statements): no state is
# kept on the connection, which a rolled-back transaction or a reconnection would silently reset.
SET_THRESHOLD = "SELECT set_config('pg_trgm.similarity_threshold', %(threshold)s, false);\n"


def _candidates(*, name_key: str, inn: str, domain_key: str, exclude_organisation_id: int | None):
    """(claim id, its name key, which key found it) of the active claims of other organisations."""
    if connection.vendor == "postgresql":
        params = {"inn": inn, "domain": domain_key, "name": name_key, "org": exclude_organisation_id or 0,
                  "cap": MAX_CANDIDATES}  # fmt: skip
        params["threshold"] = str(trigram_threshold(name_key))
        with connection.cursor() as cur:
            cur.execute(SET_THRESHOLD + CANDIDATES_SQL, params)
            cur.nextset()  # past set_config's row: the candidates
            return list(cur.fetchall())
    rows = Claim.objects.filter(status__in=ACTIVE).exclude(organisation_id=exclude_organisation_id)
    out = []
    for pk, other_name, other_inn, other_domain in rows.values_list("id", "name_key", "customer_inn", "domain_key"):
        if inn and other_inn == inn:
            out.append((pk, other_name, "inn"))
        if domain_key and other_domain == domain_key:
            out.append((pk, other_name, "domain"))
        if name_key:
            out.append((pk, other_name, "name"))
    return out


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

    threshold = settings.DEALS_NAME_MATCH_THRESHOLD
    candidates = _candidates(
        name_key=name_key, inn=inn, domain_key=domain_key, exclude_organisation_id=exclude_organisation_id
    )
    for pk, other_key, found_by in candidates:
        if found_by != "name":
            hit(pk, found_by, 100)
            continue
        score = name_score(name_key, other_key)
        if score >= threshold:
            hit(pk, "name", score)
    return sorted(found.values(), key=lambda m: (-m.score, -len(m.reasons), m.claim_id))

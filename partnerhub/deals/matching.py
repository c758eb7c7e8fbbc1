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
candidates (``UNION ALL`` of partial-index scans over the active claims only), each arm capped at
``MAX_CANDIDATES``, and the names are then scored in Python. Name candidates are found by
equality, not similarity: every claim stores its ``match_keys`` (the sorted name key and its
one-deletion spellings, :func:`partnerhub.deals.keys.match_keys`) under a GIN index, and three arms
look up the same key, a key one character longer or shorter, a key one slip away, and a
significant word in common. A GIN lookup
of a few dozen exact strings costs the same at a million claims as at a thousand, where a trigram
similarity scan over a million names costs tens of milliseconds for every short, common surname
(``benchmarks/deal_conflicts.py``). On SQLite (the embedded default, small data) the active claims
are read and scored directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from rapidfuzz import fuzz

from . import keys
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


# The name arms, each capped on its own, are the body of a PostgreSQL function (migration deals 0006):
# deals_name_candidates(same, near, slip, word, org, cap). The function carries the planner settings that
# make these lookups use the GIN index at every table size: a few thousand claims look cheap enough to scan
# to the planner, which does not know that comparing two arrays of thirty keys row by row costs it ~10 µs
# a row (a 3,000-claim registry took 50 ms; the index takes a tenth of a millisecond). SET clauses on a
# function hold only while it runs.
NAME_CANDIDATES_SQL = "SELECT * FROM deals_name_candidates(%(same)s, %(near)s, %(slip)s, %(word)s, %(org)s, %(cap)s)"
CANDIDATES_SQL = """
(SELECT id, name_key, 'inn' FROM deals_claim
  WHERE status IN ('pending', 'held', 'protected') AND customer_inn = %(inn)s AND %(inn)s <> ''
    AND organisation_id <> %(org)s LIMIT %(cap)s)
UNION ALL
(SELECT id, name_key, 'domain' FROM deals_claim
  WHERE status IN ('pending', 'held', 'protected') AND domain_key = %(domain)s AND %(domain)s <> ''
    AND organisation_id <> %(org)s LIMIT %(cap)s)
UNION ALL
(SELECT * FROM deals_name_candidates(%(same)s, %(near)s, %(slip)s, %(word)s, %(org)s, %(cap)s))
"""


def name_lookup_params(name_key: str) -> dict[str, list[str]]:
    """The four name arms' keys (``keys.lookup_keys``): each arm is capped on its own, so a crowd of
    near spellings (many "petrov" claims when "petrova" is registered) cannot push out an exact one."""
    same, near, slip, word = keys.lookup_keys(name_key)
    return {"same": same, "near": near, "slip": slip, "word": word}


def _candidates(*, name_key: str, inn: str, domain_key: str, exclude_organisation_id: int | None):
    """(claim id, its name key, which key found it) of the active claims of other organisations."""
    if connection.vendor == "postgresql":
        params = {"inn": inn, "domain": domain_key, "org": exclude_organisation_id or 0, "cap": MAX_CANDIDATES,
                  **name_lookup_params(name_key)}  # fmt: skip
        with connection.cursor() as cur:
            cur.execute(CANDIDATES_SQL, params)
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
    scored: set[int] = set()
    for pk, other_key, found_by in candidates:
        if found_by != "name":
            hit(pk, found_by, 100)
            continue
        if pk in scored:  # found by two name arms
            continue
        scored.add(pk)
        score = name_score(name_key, other_key)
        if score >= threshold:
            hit(pk, "name", score)
    return sorted(found.values(), key=lambda m: (-m.score, -len(m.reasons), m.claim_id))

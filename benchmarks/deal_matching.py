"""How well the claim matcher tells one customer from another (issue: speed at scale, conflict check).

A labelled set of realistic company names: Faker's ru_RU and en_US company providers give the
existing customers (registered as active claims of one partner on PostgreSQL); each gets one
variant a second partner might type for the same company — transliterated, legal form swapped
or dropped, quotes changed, a typo, words reordered, ё/е swapped, case changed — and as many
distinct companies are drawn that must match nothing. Every name goes through the real check
(:func:`partnerhub.deals.matching.find_matches`, exact-key candidates + rapidfuzz scoring).

Printed: recall on the true variants (goal ≥ 0.95) and precision on the distinct companies
(the share that correctly matches nothing; goal ≥ 0.98), each against the same run's baseline,
an exact comparison of normalised keys; and a grid of name thresholds around the default, which is
how the default was chosen; and a few of the distinct companies that did match, to read.

    python -m benchmarks matching
"""

from __future__ import annotations

import random
import time

from .db import scratch_database, setup_django
from .report import Figure, scaled, summary

COMPANIES = scaled(3000, 300)
RU_SHARE = 0.7
GRID_NAME = (80, 85, 88, 90, 92)

CYR = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "yo",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)
RU_FORMS = ("ООО", "АО", "ЗАО", "ПАО", "ОАО", "ИП", "РАО", "НПО")  # Faker's ru_RU prefixes among them
EN_FORMS = ("LLC", "Inc", "Ltd", "Corp", "JSC", "PLC")


def _latin(text: str) -> str:
    out = []
    for ch in text:
        low = ch.lower()
        if low in CYR:
            t = CYR[low]
            out.append(t.capitalize() if ch != low else t)
        else:
            out.append(ch)
    return "".join(out)


def _bare(name: str) -> tuple[str, str]:
    """(legal form, the name inside quotes or without the form)."""
    for form in RU_FORMS:
        if name.startswith(form + " "):
            return form, name[len(form) + 1 :].strip('«»" ')
    for form in EN_FORMS:
        if name.endswith(" " + form):
            return form, name[: -len(form) - 1]
    return "", name.strip('«»" ')


def _typo(word: str, rng: random.Random) -> str:
    """One slip of the keyboard inside a word (never its first letter, never at a hyphen)."""
    spots = [i for i in range(1, len(word) - 1) if word[i].isalpha() and word[i + 1].isalpha()]
    if len(word) < 5 or not spots:
        return word
    i = rng.choice(spots)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def variant(name: str, rng: random.Random) -> tuple[str, str]:
    """One spelling of the same company, and which change made it."""
    form, bare = _bare(name)
    words = bare.replace(",", " ,").split()
    kind = rng.choice(("translit", "form", "quotes", "typo", "order", "yo", "case"))
    if kind == "translit" and any(ch.lower() in CYR for ch in bare):
        return f"{_latin(bare)} {rng.choice(EN_FORMS)}", kind
    if kind == "form":
        other = rng.choice([f for f in (*RU_FORMS, "") if f != form]) if name[:1] in "ОАЗПИ" else rng.choice(EN_FORMS)
        return (f"{other} «{bare}»" if other in RU_FORMS else f"{bare} {other}").strip(), kind
    if kind == "quotes":
        if form not in RU_FORMS:
            return f'"{bare}" {form}'.strip(), kind
        return f'{form} "{bare}"' if rng.random() < 0.5 else f"{form} {bare}", kind
    named = [i for i, w in enumerate(words) if w.isalpha() and w.lower() not in ("и", "and")]
    if kind == "order" and len(named) >= 2:  # two names swap places; every word stays
        first, last = named[0], named[-1]
        words[first], words[last] = words[last], words[first]
        text = " ".join(words).replace(" ,", ",")
        return (f"{form} «{text}»" if form in RU_FORMS else f"{text} {form}").strip(), kind
    if kind == "yo" and ("е" in bare or "ё" in bare):
        return name.replace("е", "ё", 1) if "е" in bare else name.replace("ё", "е"), kind
    if kind == "case":
        return name.upper() if rng.random() < 0.5 else name.lower(), kind
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    words[longest] = _typo(words[longest], rng)
    text = " ".join(words).replace(" ,", ",")
    return (f"{form} «{text}»" if form in RU_FORMS else f"{text} {form}").strip(), "typo"


def labelled_set(n: int) -> tuple[list[str], list[tuple[int, str, str]], list[str]]:
    """(existing customers, [(index of the customer, its variant, change)], distinct companies)."""
    from faker import Faker

    from partnerhub.deals.keys import name_key

    rng = random.Random(2026)
    ru, en = Faker("ru_RU"), Faker("en_US")
    Faker.seed(2026)
    seen: set[str] = set()

    def draw(count: int) -> list[str]:
        names = []
        while len(names) < count:
            name = ru.company() if rng.random() < RU_SHARE else en.company()
            key = name_key(name)
            if key and key not in seen:
                seen.add(key)
                names.append(name)
        return names

    existing = draw(n)
    distinct = draw(n)
    variants = [(i, *variant(name, rng)) for i, name in enumerate(existing)]
    return existing, variants, distinct


def register(existing: list[str]) -> tuple[list[int], int]:
    """The existing customers as active claims of partner A; their ids, and partner B's id."""
    from django.utils import timezone

    from partnerhub.deals.keys import match_keys, name_key
    from partnerhub.deals.models import Claim
    from partnerhub.identity.models import Organisation

    a = Organisation.objects.create(kind="partner", name="Partner A")
    b = Organisation.objects.create(kind="partner", name="Partner B")
    now = timezone.now()
    claims = Claim.objects.bulk_create(
        [
            Claim(
                organisation=a,
                kind="deal",
                status="protected",
                title=name[:200],
                customer_name=name,
                name_key=name_key(name),
                match_keys=match_keys(name_key(name)),
                currency="RUB",
                amount=1000,
                registered_at=now,
                last_activity_at=now,
            )
            for name in existing
        ],
        batch_size=1000,
    )
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE deals_claim")
    return [c.pk for c in claims], b.pk


def evaluate(ids, variants, distinct, other_org: int, name_threshold: int) -> tuple[float, float]:
    from django.conf import settings
    from django.db import transaction

    from partnerhub.deals.keys import name_key
    from partnerhub.deals.matching import find_matches

    settings.DEALS_NAME_MATCH_THRESHOLD = name_threshold
    found = 0
    for i, name, _change in variants:
        with transaction.atomic():
            matches = find_matches(name_key=name_key(name), exclude_organisation_id=other_org)
        found += ids[i] in {m.claim_id for m in matches}
    clean = 0
    for name in distinct:
        with transaction.atomic():
            clean += not find_matches(name_key=name_key(name), exclude_organisation_id=other_org)
    return found / len(variants), clean / len(distinct)


def exact_baseline(existing, variants, distinct) -> tuple[float, float]:
    """Equal normalised keys only: what a matcher without fuzzy names would find."""
    from partnerhub.deals.keys import name_key

    keys = {name_key(n) for n in existing}
    recall = sum(name_key(v) == name_key(existing[i]) for i, v, _c in variants) / len(variants)
    precision = sum(name_key(d) not in keys for d in distinct) / len(distinct)
    return recall, precision


def main() -> None:
    print(f"== claim matcher quality: {COMPANIES:,} customers, as many variants and distinct companies (PostgreSQL)")
    with scratch_database("partnerhub_bench_matching"):
        setup_django()
        from django.conf import settings

        t0 = time.perf_counter()
        existing, variants, distinct = labelled_set(COMPANIES)
        ids, other = register(existing)
        print(f"  labelled set built in {time.perf_counter() - t0:.1f} s; e.g.:")
        for i, name, change in variants[:6]:
            print(f"    {existing[i]!r:45} -> {name!r} ({change})")
        default = settings.DEALS_NAME_MATCH_THRESHOLD
        print("  name   recall  precision (distinct companies matching nothing)")
        results = {}
        for threshold in sorted({*GRID_NAME, default}):
            results[threshold] = evaluate(ids, variants, distinct, other, threshold)
            mark = "  <- default" if threshold == default else ""
            print(f"  {threshold:4d}   {results[threshold][0]:6.3f}  {results[threshold][1]:9.3f}{mark}")
        recall, precision = results[default]
        settings.DEALS_NAME_MATCH_THRESHOLD = default
        from partnerhub.deals.keys import name_key
        from partnerhub.deals.matching import find_matches

        misses: dict[str, int] = {}
        for i, name, change in variants:
            if ids[i] not in {m.claim_id for m in find_matches(name_key=name_key(name), exclude_organisation_id=other)}:
                misses[change] = misses.get(change, 0) + 1
        wrong = [(d, m) for d in distinct if (m := find_matches(name_key=name_key(d), exclude_organisation_id=other))]
        by_id = dict(zip(ids, existing, strict=True))
        for d, m in wrong[:8]:
            print(f"    distinct {d!r} matched {by_id[m[0].claim_id]!r} (score {m[0].score})")
        print(f"  missed variants by change at the defaults: {misses or 'none'}")
        base_recall, base_precision = exact_baseline(existing, variants, distinct)
        print(f"  baseline (equal normalised keys only): recall {base_recall:.3f}, precision {base_precision:.3f}")
        summary(
            [
                Figure("deals.matcher_recall", recall, base_recall, "", ">=0.95", recall >= 0.95),
                Figure("deals.matcher_precision", precision, base_precision, "", ">=0.98", precision >= 0.98),
            ]
        )


if __name__ == "__main__":
    main()

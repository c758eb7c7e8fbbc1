"""The exact keys the conflict check looks names up by (deals.keys.match_keys / lookup_keys).

On PostgreSQL a name is a candidate only when one of its lookup keys is among a stored claim's match
keys; these properties say which spellings of a customer's name are sure to meet (the rapidfuzz score
then decides), on any backend.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnerhub.deals import keys
from partnerhub.deals.matching import find_matches
from partnerhub.deals.models import Claim
from tests.deal_builders import register
from tests.factories import valid_inn

WORD = st.text(alphabet="abcdefghiklmnoprstuvz", min_size=3, max_size=12)
NAME = st.lists(WORD, min_size=1, max_size=4).map(" ".join)


def meets(stored_name_key: str, typed_name_key: str) -> set[int]:
    """Which lookup arms (0 same, 1 one longer/shorter, 2 one slip, 3 a shared word) find the stored name."""
    stored = set(keys.match_keys(stored_name_key))
    return {arm for arm, looked_up in enumerate(keys.lookup_keys(typed_name_key)) if stored & set(looked_up)}


def slip(text: str, at: int, kind: str) -> str:
    i = at % len(text)
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    if kind == "mistype":
        return text[:i] + ("q" if text[i] != "q" else "w") + text[i + 1 :]
    j = min(i + 1, len(text) - 1)  # swap with the next letter
    return text[:i] + text[j] + text[i] + text[j + 1 :] if j > i else text


@given(NAME)
def test_the_same_name_in_any_word_order_meets_on_its_exact_key(name):
    assert 0 in meets(name, " ".join(reversed(name.split())))


@given(WORD, st.integers(min_value=0), st.sampled_from(["drop", "double", "mistype", "swap"]))
def test_one_slip_of_the_keyboard_in_a_one_word_name_meets(word, at, kind):
    typed = slip(word, at, kind)
    if typed and typed != word:
        expected = {"drop": 1, "double": 1, "mistype": 2, "swap": 2}[kind]
        assert expected in meets(word, typed) and expected in meets(typed, word)


@given(NAME, WORD)
def test_longer_names_with_a_word_added_meet_on_a_shared_word(name, extra):
    assert 3 in meets(name + " " + extra, name) or not any(len(w) >= keys.WORD_KEY_MIN_LENGTH for w in name.split())


def test_names_with_nothing_in_common_do_not_meet():
    assert meets(keys.name_key("ООО «Ромашка»"), keys.name_key("АО «Василёк»")) == set()
    assert meets(keys.name_key("Иванов"), keys.name_key("Сидоров")) == set()


def test_a_very_long_name_keeps_its_exact_and_word_keys_only():
    long = " ".join(["konstantinopolskaia"] * 2 + ["torgovo", "promyshlennaia", "kompaniia", "severo", "zapad"])
    stored = keys.match_keys(long)
    assert not [k for k in stored if k.startswith("~")]
    assert 0 in meets(long, long) and 3 in meets(long, long.replace("zapad", "zapod"))


@pytest.mark.django_db
def test_the_check_finds_a_slip_in_an_active_claim_and_nothing_in_a_closed_one(world):
    """Through the real candidate query (on PostgreSQL: the GIN lookup over active claims only)."""
    first = register(world.a_admin, world.partner_a, customer_name="ООО «Новикова»", customer_domain="",
                     customer_inn=valid_inn(77))  # fmt: skip
    found = find_matches(name_key=keys.name_key("Новиква"), exclude_organisation_id=world.partner_b.pk)
    assert [m.claim_id for m in found] == [first.pk]
    Claim.objects.filter(pk=first.pk).update(status="lost")
    assert find_matches(name_key=keys.name_key("Новикова"), exclude_organisation_id=world.partner_b.pk) == []
    assert find_matches(name_key=keys.name_key("Новикова"), exclude_organisation_id=world.partner_a.pk) == []

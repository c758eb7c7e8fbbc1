import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from partnerhub.identity.validators import (
    inn_check_digits,
    is_valid_inn,
    ogrn_check_digit,
    validate_identifiers,
    validate_inn,
    validate_kpp,
    validate_ogrn,
)


@pytest.mark.parametrize("inn", ["7707083893", "7736207543", "500100732259", "7830002293"])
def test_real_inns_are_accepted(inn):
    validate_inn(inn)


@pytest.mark.parametrize(
    ("inn", "code"),
    [
        ("7707083894", "inn_checksum"),  # last digit changed
        ("500100732250", "inn_checksum"),
        ("770708389", "inn_length"),
        ("77070838930", "inn_length"),
        ("77070838a3", "inn_format"),
        ("７７０７０８３８９３", "inn_format"),  # full-width digits are not ASCII digits
    ],
)
def test_bad_inns_are_rejected_with_a_specific_code(inn, code):
    with pytest.raises(ValidationError) as exc:
        validate_inn(inn)
    assert exc.value.code == code


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_any_9_digit_prefix_completes_to_a_valid_company_inn(prefix):
    assert is_valid_inn(prefix + inn_check_digits(prefix))


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_any_10_digit_prefix_completes_to_a_valid_personal_inn(prefix):
    inn = prefix + inn_check_digits(prefix)
    assert is_valid_inn(inn)
    wrong_last = inn[:-1] + str((int(inn[-1]) + 1) % 10)
    assert not is_valid_inn(wrong_last)


@pytest.mark.parametrize("kpp", ["773601001", "7701AB001"])
def test_kpp_accepted(kpp):
    validate_kpp(kpp)


@pytest.mark.parametrize("kpp", ["77360100", "7736010011", "7736ab001", "77-601001"])
def test_kpp_rejected(kpp):
    with pytest.raises(ValidationError):
        validate_kpp(kpp)


@pytest.mark.parametrize("ogrn", ["1027700132195", "1027700229193", "304500116000157"])
def test_real_ogrns_accepted(ogrn):
    validate_ogrn(ogrn)


@pytest.mark.parametrize(("ogrn", "code"), [("1027700132196", "ogrn_checksum"), ("102770013219", "ogrn_length")])
def test_bad_ogrns_rejected(ogrn, code):
    with pytest.raises(ValidationError) as exc:
        validate_ogrn(ogrn)
    assert exc.value.code == code


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_ogrn_check_digit_round_trip(prefix):
    validate_ogrn(prefix + ogrn_check_digit(prefix))


def test_cross_field_rules():
    assert "kpp" in validate_identifiers(inn="500100732259", kpp="773601001", ogrn="")
    assert "ogrn" in validate_identifiers(inn="7707083893", kpp="", ogrn="304500116000157")
    assert "ogrn" in validate_identifiers(inn="500100732259", kpp="", ogrn="1027700132195")
    assert validate_identifiers(inn="7707083893", kpp="773601001", ogrn="1027700132195") == {}

"""Validation of Russian company identifiers: INN, KPP, OGRN and OGRNIP.

The check-digit algorithms are those of the Federal Tax Service: INN has one check digit
(10 digits, legal entities) or two (12 digits, individuals and sole proprietors); OGRN (13
digits) and OGRNIP (15 digits) end with the remainder of the leading digits modulo 11
(modulo 13 for OGRNIP), its last digit.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_1 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_2 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_KPP_RE = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")


def _check_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_check_digits(prefix: str) -> str:
    """The check digit(s) that complete a 9- or 10-digit INN prefix (used by demo data and tests)."""
    if len(prefix) == 9:
        return str(_check_digit(prefix, _INN10_WEIGHTS))
    if len(prefix) == 10:
        first = str(_check_digit(prefix, _INN12_WEIGHTS_1))
        second = str(_check_digit(prefix + first, _INN12_WEIGHTS_2))
        return first + second
    raise ValueError("INN prefix must have 9 or 10 digits")


def is_valid_inn(value: str) -> bool:
    if not value.isdigit() or len(value) not in (10, 12) or not value.isascii():
        return False
    return inn_check_digits(value[:-1] if len(value) == 10 else value[:-2]) == (
        value[-1:] if len(value) == 10 else value[-2:]
    )


def validate_inn(value: str) -> None:
    if not value.isascii() or not value.isdigit():
        raise ValidationError(_("INN must contain digits only."), code="inn_format")
    if len(value) not in (10, 12):
        raise ValidationError(_("INN must have 10 digits (company) or 12 digits (individual)."), code="inn_length")
    if not is_valid_inn(value):
        raise ValidationError(_("INN check digits do not match: the number has a typo."), code="inn_checksum")


def validate_kpp(value: str) -> None:
    if not _KPP_RE.match(value):
        raise ValidationError(
            _("KPP must have 9 characters: 4 digits, 2 digits or capital letters, 3 digits."), code="kpp_format"
        )


def ogrn_check_digit(prefix: str) -> str:
    if len(prefix) == 12:
        return str(int(prefix) % 11 % 10)
    if len(prefix) == 14:
        return str(int(prefix) % 13 % 10)
    raise ValueError("OGRN prefix must have 12 digits, OGRNIP prefix 14")


def validate_ogrn(value: str) -> None:
    """Accept an OGRN (13 digits, legal entity) or an OGRNIP (15 digits, sole proprietor)."""
    if not value.isascii() or not value.isdigit():
        raise ValidationError(_("OGRN must contain digits only."), code="ogrn_format")
    if len(value) not in (13, 15):
        raise ValidationError(
            _("OGRN must have 13 digits (company) or 15 digits (OGRNIP, sole proprietor)."), code="ogrn_length"
        )
    if ogrn_check_digit(value[:-1]) != value[-1]:
        raise ValidationError(_("OGRN check digit does not match: the number has a typo."), code="ogrn_checksum")


def validate_identifiers(*, inn: str, kpp: str, ogrn: str) -> dict[str, list[ValidationError]]:
    """Cross-field rules; returns per-field errors (empty when all is well)."""
    errors: dict[str, list[ValidationError]] = {}
    if kpp and inn and len(inn) == 12:
        errors.setdefault("kpp", []).append(
            ValidationError(_("A KPP is issued to companies only; a 12-digit INN has none."), code="kpp_not_for_person")
        )
    if ogrn and inn:
        if len(inn) == 10 and len(ogrn) == 15:
            errors.setdefault("ogrn", []).append(
                ValidationError(_("A company (10-digit INN) has a 13-digit OGRN."), code="ogrn_kind_mismatch")
            )
        if len(inn) == 12 and len(ogrn) == 13:
            errors.setdefault("ogrn", []).append(
                ValidationError(_("A sole proprietor (12-digit INN) has a 15-digit OGRNIP."), code="ogrn_kind_mismatch")
            )
    return errors

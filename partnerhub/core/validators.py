"""Web addresses people type: http and https only, wherever a URL is stored or shown as a link.

A stored ``javascript:`` or ``data:`` address becomes script the moment a page renders it as a
link, so every URL field of the product (models' ``URLField``\\s and the ``CharField``\\s that hold
addresses) goes through this one validator: on the model field (``full_clean``) and in the
service that writes it (``clean_web_url``), so the API and the UI refuse the same values.
Django's own ``URLValidator`` also allows ftp and ftps; nothing here needs them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

WEB_SCHEMES = ("http", "https")


@deconstructible
class WebURLValidator(URLValidator):
    """An absolute http(s) URL with a host; any other scheme (javascript:, data:, ftp:, file:…) is refused."""

    message = _("Enter a web address starting with http:// or https://.")

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("schemes", list(WEB_SCHEMES))
        super().__init__(**kwargs)


validate_web_url = WebURLValidator()


@deconstructible
class SiteLinkValidator:
    """A path on this site (``/deals/7/``, not ``//other.host``) or an absolute http(s) URL."""

    message = _("Enter a path on this site or a web address starting with http:// or https://.")
    code = "invalid"

    def __call__(self, value: str) -> None:
        value = str(value)
        if value.startswith("/") and not value.startswith("//") and "\\" not in value:
            if any(ord(ch) < 33 for ch in value):
                raise ValidationError(self.message, code=self.code, params={"value": value})
            return
        try:
            validate_web_url(value)
        except ValidationError:
            raise ValidationError(self.message, code=self.code, params={"value": value}) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SiteLinkValidator)


validate_site_link = SiteLinkValidator()


def clean_web_url(value: str | None, *, field: str, required: bool = False, max_length: int = 200) -> str:
    """``value`` stripped, or "" when empty and not required; else a ``ValidationError`` on ``field``.

    Services call this for every URL they store, before writing anything.
    """
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationError({field: [ValidationError(_("Enter a web address."), code="required")]})
        return ""
    if len(value) > max_length:
        message = _("At most %(n)s characters.") % {"n": max_length}
        raise ValidationError({field: [ValidationError(message, code="max_length")]})
    try:
        validate_web_url(value)
    except ValidationError as exc:
        raise ValidationError({field: [exc]}) from None
    return value

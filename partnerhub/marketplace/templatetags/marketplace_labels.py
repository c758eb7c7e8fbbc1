"""``{% load marketplace_labels %}``: a version's name in the reader's language (else the other one)."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def listing_name(version) -> str:
    """The version's name in the current language, else in any language it has ("" when none)."""
    if version is None:
        return ""
    texts = list(version.texts.all())  # prefetched by the selectors
    language = (get_language() or "en")[:2]
    for text in texts:
        if text.language == language:
            return text.name
    return texts[0].name if texts else ""

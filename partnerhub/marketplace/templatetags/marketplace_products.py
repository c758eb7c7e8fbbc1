"""``{% load marketplace_products %}{% vendor_products org_id %}``: a software vendor's live listings.

The public partner catalogue (the onboarding app, a sibling the marketplace may not be imported by)
shows them on the vendor's page through this template tag: no Python import crosses the layers.
"""

from django import template
from django.utils.translation import get_language

from .. import selectors

register = template.Library()


@register.inclusion_tag("marketplace/_vendor_products.html")
def vendor_products(org_id: int) -> dict:
    return {"products": selectors.vendor_products(org_id=org_id, language=(get_language() or "ru")[:2])}

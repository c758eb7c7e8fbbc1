"""``{{ delta|span }}``: a clock's time left or over in hours and minutes, in the reader's language."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def span(delta: timedelta | None) -> str:
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return _("%(d)s d %(h)s h") % {"d": hours // 24, "h": hours % 24}
    return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}

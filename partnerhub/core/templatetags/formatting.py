"""``{% load formatting %}``: ``{{ amount|money:currency }}`` and ``{{ count|number }}`` for the active language."""

from django import template

from partnerhub.core import formatting

register = template.Library()


@register.filter
def money(amount, currency="RUB"):
    return formatting.money(amount, currency)


@register.filter
def number(value):
    return formatting.number(value)


@register.filter
def label(value, field_path: str):
    """``{{ code|label:"deals.Claim.status" }}``: the translated label of a stored choice (the code if unknown)."""
    return formatting.choice_label(field_path, value)


@register.filter
def audit_action(entry) -> str:
    """``{{ entry|audit_action }}``: what happened, in words."""
    from partnerhub.core.audit_labels import action_label

    return action_label(entry.action, entry.object_type)


@register.filter
def audit_object_type(entry) -> str:
    """``{{ entry|audit_object_type }}``: what kind of thing the entry is about, in words."""
    from partnerhub.core.audit_labels import object_type_label

    return object_type_label(entry.object_type)


@register.filter
def audit_channel(via: str) -> str:
    from partnerhub.core.audit_labels import channel_label

    return channel_label(via)


@register.filter
def audit_changes(entry):
    """``{% for field, old, new in entry|audit_changes %}``: changed fields by their labels, values by theirs."""
    from partnerhub.core.audit_labels import labelled_changes

    return labelled_changes(entry)


@register.filter
def localized(obj, field: str = "name") -> str:
    """``{{ tier|localized }}``, ``{{ requirement|localized:"label" }}``: a programme text in the active language
    (its ``<field>_en`` in English when given, the Russian ``<field>`` otherwise)."""
    from partnerhub.core.i18n import localized as _localized

    return _localized(obj, field)

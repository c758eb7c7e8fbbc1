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

"""A search-as-you-type partner picker for forms, instead of a <select> of every partner organisation.

The widget is a text input: with JavaScript, htmx asks a picker view for at most ``selectors.PICKS``
matching partners as the user types, and a click on one fills a hidden id beside the text; without
JavaScript the user types the partner's INN or name and the field resolves it on the server, with a
field error naming the problem when nothing or more than one partner matches. The cleaned value is an
``Organisation`` (or its id with ``as_id=True``), as a ``ModelChoiceField``'s would be.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .models import Organisation, User
from .selectors import PICKS, partner_picks

INN = re.compile(r"(?<!\d)(\d{10}|\d{12})(?!\d)")


def pick_label(org: Organisation) -> str:
    """How a picked partner reads in the text input: its name and INN (the INN is what resolves it)."""
    return f"{org.name} · {org.inn}" if org.inn else org.name


MESSAGES = {
    "unknown": _("No partner here matches “%(text)s”: type its INN or pick it from the list."),
    "unknown_inn": _("No partner here has the INN %(inn)s."),
    "ambiguous": _("More than one partner matches “%(text)s”: type its INN or pick it from the list."),
    "ambiguous_inn": _("More than one partner has the INN %(inn)s: pick it from the list."),
}


def resolve(queryset: QuerySet[Organisation], text: str, messages: dict = MESSAGES) -> Organisation:
    """The one partner of ``queryset`` that ``text`` names: by an INN in it, else by the exact name, else by
    a unique part of the name; nothing or more than one is a ValidationError naming the text."""
    inn = INN.search(text)
    if inn:
        found, code = list(queryset.filter(inn=inn.group(1))[:2]), "_inn"
    else:
        found = list(queryset.filter(name__iexact=text)[:2]) or list(
            queryset.filter(Q(name__icontains=text) | Q(legal_name__icontains=text))[:2])  # fmt: skip
        code = ""
    if len(found) == 1:
        return found[0]
    kind = "unknown" if not found else "ambiguous"
    raise ValidationError(messages[kind + code], code=kind, params={"inn": inn.group(1) if inn else "", "text": text})


class PartnerPicker(forms.Widget):
    """A text input with a hidden id and the list of matches htmx fills in (``identity/_partner_picker.html``)."""

    template_name = "identity/_partner_picker.html"

    def __init__(self, attrs=None, *, url: str = ""):
        super().__init__(attrs)
        self.url = url

    def value_from_datadict(self, data, files, name):
        return (data.get(name, ""), data.get(f"{name}_id", ""))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_id" not in data

    def render(self, name, value, attrs=None, renderer=None):
        text, pk = "", ""
        if isinstance(value, Organisation):
            text, pk = pick_label(value), value.pk
        elif isinstance(value, tuple | list):
            text, pk = value[0] or "", value[1] or ""
        attrs = self.build_attrs(self.attrs, attrs)
        return render_to_string(self.template_name, {"name": name, "text": text, "pk": pk, "url": self.url,
                                                     "id": attrs.get("id") or f"id_{name}"})  # fmt: skip


class PartnerField(forms.Field):
    """One partner out of ``queryset``, picked or typed (INN, exact name or a unique part of the name)."""

    widget = PartnerPicker
    default_error_messages = MESSAGES

    def __init__(self, *, queryset: QuerySet[Organisation] | None = None, url: str = "", as_id: bool = False,
                 **kwargs):  # fmt: skip
        super().__init__(**kwargs)
        self.queryset, self.as_id = queryset, as_id
        self.url = url

    @property
    def url(self) -> str:
        return self.widget.url

    @url.setter
    def url(self, value: str) -> None:
        self.widget.url = value

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.queryset = self.queryset
        return result

    def prepare_value(self, value):
        if isinstance(value, int) and self.queryset is not None:  # an initial id: show its name and INN
            return self.queryset.filter(pk=value).first()
        return value

    def to_python(self, value):
        if isinstance(value, Organisation) or value in (None, ""):
            return value or None
        text, pk = value if isinstance(value, tuple | list) else (str(value), "")
        text = (text or "").strip()[:300]
        if str(pk).isdigit():
            org = self.queryset.filter(pk=int(pk)).first()
            if org is not None and (not text or text == pick_label(org)):
                return org
        return resolve(self.queryset, text, self.error_messages) if text else None

    def clean(self, value):
        org = super().clean(value)
        return org.pk if self.as_id and org is not None else org


class PartnerListField(forms.Field):
    """Several partners out of ``queryset``, one a line (INN, exact name or a unique part of the name): a
    text area instead of a multiple <select> of every partner. Cleans to their ids, in the order typed;
    each line that names nothing or more than one partner is an error naming that line."""

    widget = forms.Textarea(attrs={"rows": 3, "placeholder": _("One partner a line: INN or name")})

    def __init__(self, *, queryset: QuerySet[Organisation] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.queryset = queryset

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.queryset = self.queryset
        return result

    def prepare_value(self, value):
        if isinstance(value, list | tuple):  # initial ids: their names and INNs, one a line
            ids = [int(v) for v in value if str(v).isdigit()]
            return "\n".join(pick_label(o) for o in self.queryset.filter(pk__in=ids).order_by("name", "pk"))
        return value

    def to_python(self, value) -> list[int]:
        ids, errors = [], []
        for line in re.split(r"[\r\n;]+", value or "")[:500]:
            line = line.strip()[:300]
            if not line:
                continue
            try:
                org = resolve(self.queryset, line)
            except ValidationError as exc:
                errors.extend(exc.error_list)
            else:
                if org.pk not in ids:
                    ids.append(org.pk)
        if errors:
            raise ValidationError(errors)
        return ids


def picks_response(request: HttpRequest, *, actor: User, within: QuerySet[Organisation] | None = None) -> HttpResponse:
    """The picker view's answer: the matching partners as a list of choices (``identity/_partner_picks.html``).
    The text comes as ``q`` or under the field's own name (``field``), as htmx sends the input."""
    field = request.GET.get("field", "q")[:50]
    query = request.GET.get(field) or request.GET.get("q", "")
    picks = partner_picks(actor=actor, query=query, within=within, limit=PICKS + 1)
    return render(request, "identity/_partner_picks.html", {
        "picks": [(o, pick_label(o)) for o in picks[:PICKS]], "more": len(picks) > PICKS, "query": query.strip(),
    })  # fmt: skip

"""The vendor's programme console: programmes, versions, YAML import/export, drafts, publishing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.problems import Problem
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import has_perm, vendor_organisation

from . import selectors, services, yaml_io
from .forms import (
    BenefitForm,
    DraftForm,
    ImportForm,
    PublishForm,
    RateForm,
    RequirementForm,
    RetireForm,
    SettingsForm,
    TierForm,
)


def _vendor_only(request: HttpRequest) -> None:
    if not actor_for(request.user).is_vendor_staff:
        raise Http404


def _can_manage(request: HttpRequest) -> bool:
    vendor = vendor_organisation()
    return vendor is not None and has_perm(actor=request.user, perm=Perm.PROGRAMMES_MANAGE, organisation=vendor)


def _yaml_errors(form, exc: ValidationError) -> None:
    """Every error of a YAML definition, each with its file, key path and reason, on top of the form."""
    for messages_ in getattr(exc, "message_dict", {"": exc.messages}).values():
        for m in messages_:
            form.add_error(None, m)


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    _vendor_only(request)
    today = timezone.localdate()
    rows = [(p, selectors.version_in_force(programme=p, on=today), p.versions.filter(status="draft").first())
            for p in selectors.programmes(actor=request.user)]  # fmt: skip
    return render(request, "programmes/list.html", {"rows": rows, "can_manage": _can_manage(request)})


@login_required
def programme_import(request: HttpRequest) -> HttpResponse:
    _vendor_only(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        text, source = form.yaml_text()
        try:
            v = services.import_programme(actor=request.user, text=text, source=source,
                                         publish=form.cleaned_data["publish"])  # fmt: skip
        except ValidationError as exc:
            _yaml_errors(form, exc)
        else:
            messages.success(request, _("Programme %(name)s, version %(n)s, loaded.") % {"name": v.name, "n": v.number})
            return redirect("programme-version", code=v.programme.code, number=v.number)
    return render(request, "programmes/import.html", {"form": form})


@login_required
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    _vendor_only(request)
    p = selectors.programme(actor=request.user, code=code)
    v = selectors.version_in_force(programme=p, on=timezone.localdate()) or p.versions.order_by("-number").first()
    if v is None:
        raise Http404
    return redirect("programme-version", code=p.code, number=v.number)


@login_required
@require_POST
def programme_draft(request: HttpRequest, code: str) -> HttpResponse:
    _vendor_only(request)
    p = selectors.programme(actor=request.user, code=code)
    try:
        v = services.create_draft(actor=request.user, programme=p)
    except Problem as exc:
        messages.error(request, exc.detail)
        return redirect("programme-detail", code=p.code)
    messages.success(request, _("Draft version %(n)s created from the version in force.") % {"n": v.number})
    return redirect("programme-version", code=p.code, number=v.number)


@login_required
def programme_version(request: HttpRequest, code: str, number: int) -> HttpResponse:
    _vendor_only(request)
    p = selectors.programme(actor=request.user, code=code)
    v = selectors.version(actor=request.user, programme=p, number=number)
    can_manage = _can_manage(request)
    draft_form = DraftForm(initial={"text": yaml_io.export(v)}) if v.status == "draft" else None
    publish_form = PublishForm(initial={"effective_from": max(v.effective_from, timezone.localdate())})
    retire_form = RetireForm()
    if request.method == "POST":
        if not can_manage:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "save" and v.status == "draft":
                draft_form = DraftForm(request.POST)
                if draft_form.is_valid():
                    v = services.update_draft(actor=request.user, version=v, text=draft_form.cleaned_data["text"])
                    messages.success(request, _("Draft saved."))
                    return redirect("programme-version", code=p.code, number=v.number)
            elif action == "publish":
                publish_form = PublishForm(request.POST)
                if publish_form.is_valid():
                    services.publish(actor=request.user, version=v, **publish_form.cleaned_data)
                    messages.success(request, _("Version published."))
                    return redirect("programme-version", code=p.code, number=v.number)
            elif action == "retire":
                retire_form = RetireForm(request.POST)
                if retire_form.is_valid():
                    services.retire(actor=request.user, version=v, **retire_form.cleaned_data)
                    messages.success(request, _("Version retired."))
                    return redirect("programme-version", code=p.code, number=v.number)
            else:
                raise Http404
        except ValidationError as exc:
            target = {"save": draft_form, "publish": publish_form, "retire": retire_form}[action]
            _yaml_errors(target, exc)
        except Problem as exc:
            messages.error(request, exc.detail)
    today = timezone.localdate()
    ctx = {
        "programme": p,
        "version": v,
        "in_force": selectors.version_in_force(programme=p, on=today),
        "versions": selectors.versions(actor=request.user, programme=p),
        "tiers": selectors.tiers_of(v),
        "roles": list(v.roles.all()),
        "can_manage": can_manage,
        "draft_form": draft_form,
        "publish_form": publish_form,
        "retire_form": retire_form,
        "has_draft": p.versions.filter(status="draft").exists(),
        "retirable": v.status == "draft" or (v.status == "published" and v.effective_from > today),
    }
    return render(request, "programmes/version.html", ctx)


@login_required
def programme_export(request: HttpRequest, code: str, number: int) -> HttpResponse:
    _vendor_only(request)
    p = selectors.programme(actor=request.user, code=code)
    v = selectors.version(actor=request.user, programme=p, number=number)
    response = HttpResponse(yaml_io.export(v), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{p.code}-v{v.number}.yaml"'
    return response


EDIT_FORMS = {
    "settings": SettingsForm,
    "add_tier": TierForm,
    "edit_tier": TierForm,
    "add_requirement": RequirementForm,
    "add_benefit": BenefitForm,
    "set_rate": RateForm,
}
REMOVE = {"delete_tier": None, "delete_requirement": "requirements", "delete_benefit": "benefits",
          "delete_rate": "reward_rates"}  # fmt: skip


def _field_errors(form, exc: ValidationError) -> None:
    """The validator names key paths (tiers[1].requirements[3].threshold): put each on its field."""
    for path, messages_ in exc.message_dict.items():
        field = path.rsplit(".", 1)[-1]
        for m in messages_:
            form.add_error(field if field in form.fields else None, m)


def _change(action: str, form, t: int, i: int):
    def change(doc: dict) -> None:
        tiers = doc["tiers"]
        if action == "settings":
            form.apply(doc)
        elif action == "add_tier":
            tiers.append({**form.cleaned_data, "requirements": [], "benefits": [], "reward_rates": []})
        elif action == "edit_tier":
            tiers[t].update(form.cleaned_data)
        elif action == "delete_tier":
            tiers.pop(t)
        elif action == "add_requirement":
            tiers[t]["requirements"].append(form.entry())
        elif action == "add_benefit":
            tiers[t]["benefits"].append(form.entry())
        elif action == "set_rate":
            entry = form.entry()
            key = (entry["product_family"], entry["sale_type"])
            rates = [r for r in tiers[t]["reward_rates"] if (r["product_family"], r["sale_type"]) != key]
            tiers[t]["reward_rates"] = [*rates, entry]
        else:
            tiers[t][REMOVE[action]].pop(i)

    return change


@login_required
def programme_edit(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The draft editor: version settings, tiers, requirements, benefits and reward rates, as forms."""
    _vendor_only(request)
    p = selectors.programme(actor=request.user, code=code)
    v = selectors.version(actor=request.user, programme=p, number=number)
    if v.status != "draft" or not _can_manage(request):
        raise Http404
    doc = yaml_io.document(v)
    forms = {name: cls(prefix=name) for name, cls in EDIT_FORMS.items()}
    forms["settings"] = SettingsForm(prefix="settings", initial=SettingsForm.initial_from(doc))
    failed, failed_tier = "", None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            t, i = int(request.POST.get("tier", 0)), int(request.POST.get("index", 0))
        except ValueError as exc:
            raise Http404 from exc
        if action not in EDIT_FORMS and action not in REMOVE:
            raise Http404
        if not (0 <= t < max(len(doc["tiers"]), 1)):
            raise Http404
        form = EDIT_FORMS[action](request.POST, prefix=action) if action in EDIT_FORMS else None
        if form is None or form.is_valid():
            try:
                services.edit_draft(actor=request.user, version=v, change=_change(action, form, t, i))
            except ValidationError as exc:
                if form is None:
                    messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
                else:
                    _field_errors(form, exc)
            except IndexError as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("Draft saved."))
                return redirect("programme-edit", code=p.code, number=v.number)
        if form is not None:
            forms[action] = form
            failed, failed_tier = action, t
    blank = {name: cls(prefix=name) for name, cls in EDIT_FORMS.items()}
    ctx = {"programme": p, "version": v, "doc": doc, "forms": forms, "blank": blank, "failed": failed,
           "failed_tier": failed_tier}  # fmt: skip
    return render(request, "programmes/edit.html", ctx)

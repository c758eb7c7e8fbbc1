"""The vendor's programme console: programmes, versions, YAML import/export, the draft editor, publishing.

Vendor staff read it (others get 404); only those who may manage programmes (vendor
administrators) see and use the forms that change a draft, publish or retire a version.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core.forms import add_service_errors
from partnerhub.core.i18n import localized
from partnerhub.core.problems import Problem
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.roles import Perm
from partnerhub.identity.services import has_perm, vendor_organisation

from . import selectors, services, yaml_io
from .forms import (
    BenefitForm,
    DraftForm,
    ImportForm,
    OverridesFormSet,
    PublishForm,
    RatesForm,
    RequirementForm,
    RetireForm,
    SettingsForm,
    TierForm,
)
from .models import ProductFamily, ProgrammeVersion


def _vendor_only(request: HttpRequest) -> None:
    if not actor_for(request.user).is_vendor_staff:
        raise Http404


def _can_manage(request: HttpRequest) -> bool:
    vendor = vendor_organisation()
    return vendor is not None and has_perm(actor=request.user, perm=Perm.PROGRAMMES_MANAGE, organisation=vendor)


def _yaml_errors(form, exc: ValidationError) -> None:
    """Every error of a YAML definition, each with its file, key path and reason, on top of the form."""
    for key, messages_ in getattr(exc, "message_dict", {"": exc.messages}).items():
        for m in messages_:
            form.add_error("file" if key == "file" and "file" in form.fields else None, m)


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
    if not _can_manage(request):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            v = services.import_programme(actor=request.user, publish=form.cleaned_data["publish"],
                                         **form.source())  # fmt: skip
        except ValidationError as exc:
            _yaml_errors(form, exc)
        else:
            messages.success(request, _("Programme %(name)s, version %(n)s, loaded.") % {"name": v.name, "n": v.number})
            return redirect("programme-version", code=v.programme.code, number=v.number)
    return render(request, "programmes/import.html", {"form": form})


@login_required
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The version in force (else the latest), with the programme's history of versions."""
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
    if not _can_manage(request):
        raise Http404
    try:
        v = services.create_draft_from_published(actor=request.user, programme=p)
    except Problem as exc:
        messages.error(request, exc.detail)
        return redirect("programme-detail", code=p.code)
    messages.success(request, _("Draft version %(n)s created from the version in force.") % {"n": v.number})
    return redirect("programme-edit", code=p.code, number=v.number)


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
                    services.update_draft(actor=request.user, version=v, text=draft_form.cleaned_data["text"],
                                          source=_("the editor"))  # fmt: skip
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
            if action == "save":
                _yaml_errors(draft_form, exc)
            else:
                add_service_errors({"publish": publish_form, "retire": retire_form}[action], exc)
        except Problem as exc:
            messages.error(request, exc.detail)
    today = timezone.localdate()
    tiers = selectors.tiers_of(v)
    overrides = list(v.network_overrides.select_related("product_family"))
    for o in overrides:  # the seller's tier by its name
        o.tier = next((t for t in tiers if t.code == o.tier_code), None)
    ctx = {
        "programme": p,
        "version": v,
        "in_force": selectors.version_in_force(programme=p, on=today),
        "versions": selectors.versions(actor=request.user, programme=p),
        "tiers": tiers,
        "roles": list(v.roles.all()),
        "network_overrides": overrides,
        "can_manage": can_manage,
        "draft_form": draft_form,
        "publish_form": publish_form,
        "retire_form": retire_form,
        "has_draft": p.versions.filter(status="draft").exists(),
        "retirable": v.status == "draft" or (v.status == "published" and v.effective_from > today),
        "default_hold_days": int(getattr(settings, "REWARDS_HOLD_DAYS", 30)),
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


# ---------------------------------------------------------------------------- the draft editor


def _draft(request: HttpRequest, code: str, number: int) -> ProgrammeVersion:
    """A draft the user may edit; anything else (published, retired, not a manager) is 404."""
    _vendor_only(request)
    p = selectors.programme(actor=request.user, code=code)
    v = selectors.version(actor=request.user, programme=p, number=number)
    if v.status != ProgrammeVersion.Status.DRAFT or not _can_manage(request):
        raise Http404
    return v


def _families(doc: dict) -> list[tuple[str, str]]:
    """Every product family a rate may be set for: those of the draft first, then the others known."""
    seen = {f["code"]: localized(f) for f in doc["product_families"]}
    for f in ProductFamily.objects.order_by("code"):
        seen.setdefault(f.code, str(f))
    return list(seen.items())


def _overrides_formset(doc: dict, data=None) -> OverridesFormSet:
    """The draft's network override rules as rows (one empty row to add a rule); ``data``: the posted rows."""
    kwargs = {"families": _families(doc), "tiers": [(t["code"], localized(t)) for t in doc["tiers"]]}
    initial = None if data is not None else OverridesFormSet.initial_from(doc["rewards"]["overrides"])
    return OverridesFormSet(data, prefix="overrides", initial=initial, form_kwargs=kwargs)


def _more_rows(data):
    """The posted rows and one more empty one ("Add a row" without JavaScript: nothing is saved)."""
    data = data.copy()
    key = "overrides-TOTAL_FORMS"
    data[key] = str(min(int(data.get(key) or 0), 100) + 1) if (data.get(key) or "0").isdigit() else "1"
    return data


def _tier_forms(doc: dict, t: dict, bound: dict) -> dict:
    """The forms of one tier card; the one that was submitted comes back bound, with its errors."""
    key = t["code"]
    auto = f"id_{key}_%s"
    forms = {
        "edit_tier": TierForm(prefix="edit_tier", auto_id=auto, initial={**t}),
        "add_requirement": RequirementForm(prefix="add_requirement", auto_id=auto),
        "add_benefit": BenefitForm(prefix="add_benefit", auto_id=auto),
        "rates": RatesForm(prefix="rates", auto_id=auto, families=_families(doc), rates=t["reward_rates"]),
    }
    return {name: bound.get((name, key)) or form for name, form in forms.items()}


def _run(request: HttpRequest, form, call, *, on_errors=None) -> bool:
    """Call a service with a valid form; its errors go on the form's fields (key paths on top)."""
    if not form.is_valid():
        return False
    try:
        call(form)
    except ValidationError as exc:
        (on_errors or (lambda e: add_service_errors(form, e)))(exc)
        return False
    messages.success(request, _("Draft saved."))
    return True


# action -> (form, how its cleaned data calls the service) for the forms of one tier card
TIER_ACTIONS = {
    "edit_tier": (TierForm, lambda f, **kw: services.update_tier(**kw, **f.cleaned_data)),
    "add_requirement": (RequirementForm, lambda f, **kw: services.add_requirement(**kw, **f.entry())),
    "add_benefit": (BenefitForm, lambda f, **kw: services.add_benefit(**kw, **f.entry())),
    "rates": (RatesForm, lambda f, **kw: services.set_reward_rates(**kw, rates=f.rates())),
}


@login_required
def programme_edit(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """The draft editor: version settings, tiers, requirements, benefits and reward rates, as forms.

    Every change goes through the programme validator, as a file would: a contradicting
    threshold, a rate over 100 % or an unknown family is refused on the form's field.
    """
    v = _draft(request, code, number)
    user = request.user
    settings_form = SettingsForm(prefix="settings", initial=SettingsForm.initial_from(v))
    add_tier_form = TierForm(prefix="add_tier", auto_id="id_new_%s")
    overrides_formset = None
    bound: dict = {}
    if request.method == "POST":
        action, tier, item = (request.POST.get(k, "") for k in ("action", "tier", "item"))
        done = False
        doc = yaml_io.document(v)
        if action not in ("settings", "add_tier", "overrides") and not any(t["code"] == tier for t in doc["tiers"]):
            raise Http404
        auto = f"id_{tier}_%s"
        if action == "settings":
            settings_form = SettingsForm(request.POST, prefix="settings")
            done = _run(request, settings_form,
                        lambda f: services.update_settings(actor=user, version=v, **f.cleaned_data))  # fmt: skip
        elif action == "add_tier":
            add_tier_form = TierForm(request.POST, prefix="add_tier", auto_id="id_new_%s")
            done = _run(request, add_tier_form,
                        lambda f: services.add_tier(actor=user, version=v, **f.cleaned_data))  # fmt: skip
        elif action == "overrides" and "add_row" in request.POST:
            overrides_formset = _overrides_formset(doc, _more_rows(request.POST))
        elif action == "overrides":
            overrides_formset = _overrides_formset(doc, request.POST)
            done = _run(request, overrides_formset,
                        lambda f: services.set_network_overrides(actor=user, version=v, overrides=f.overrides()),
                        on_errors=overrides_formset.add_service_errors)  # fmt: skip
        elif action in TIER_ACTIONS:
            form_class, call = TIER_ACTIONS[action]
            extra = {}
            if form_class is RatesForm:
                t = next(t for t in doc["tiers"] if t["code"] == tier)
                extra = {"families": _families(doc), "rates": t["reward_rates"]}
            form = bound[(action, tier)] = form_class(request.POST, prefix=action, auto_id=auto, **extra)
            done = _run(request, form, lambda f: call(f, actor=user, version=v, tier_code=tier),
                        on_errors=getattr(form, "add_service_errors", None))  # fmt: skip
        elif action in ("delete_tier", "delete_requirement", "delete_benefit"):
            remove = {
                "delete_tier": lambda: services.remove_tier(actor=user, version=v, tier_code=tier),
                "delete_requirement": lambda: services.remove_requirement(actor=user, version=v, tier_code=tier,
                                                                          requirement_code=item),
                "delete_benefit": lambda: services.remove_benefit(actor=user, version=v, tier_code=tier,
                                                                  benefit_code=item),
            }[action]  # fmt: skip
            try:
                remove()
            except ValidationError as exc:
                messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
            else:
                messages.success(request, _("Draft saved."))
            done = True
        else:
            raise Http404
        if done:
            return redirect("programme-edit", code=v.programme.code, number=v.number)
    v.refresh_from_db()
    doc = yaml_io.document(v)
    tiers = [{"doc": t, "rank": n, "forms": _tier_forms(doc, t, bound)} for n, t in enumerate(doc["tiers"], start=1)]
    ctx = {"programme": v.programme, "version": v, "doc": doc, "tiers": tiers, "settings_form": settings_form,
           "add_tier_form": add_tier_form, "overrides": overrides_formset or _overrides_formset(doc)}  # fmt: skip
    return render(request, "programmes/edit.html", ctx)


def _entry_page(request, code: str, number: int, tier: str, item: str, *, list_key: str, form_class, update, key: str):
    """Edit one requirement or benefit of a draft's tier on its own page."""
    v = _draft(request, code, number)
    doc = yaml_io.document(v)
    t = next((t for t in doc["tiers"] if t["code"] == tier), None)
    entry = next((e for e in (t or {}).get(list_key, []) if e["code"] == item), None)
    if entry is None:
        raise Http404
    if request.method == "POST":
        form = form_class(request.POST)
        if _run(
            request, form, lambda f: update(actor=request.user, version=v, tier_code=tier, **{key: item}, **f.entry())
        ):
            return redirect("programme-edit", code=v.programme.code, number=v.number)
    else:
        form = form_class(initial=form_class.initial_from(entry))
    ctx = {"programme": v.programme, "version": v, "tier": t, "entry": entry, "form": form, "list_key": list_key}
    return render(request, "programmes/entry.html", ctx)


@login_required
def requirement_edit(request: HttpRequest, code: str, number: int, tier: str, item: str) -> HttpResponse:
    return _entry_page(request, code, number, tier, item, list_key="requirements", form_class=RequirementForm,
                       update=services.update_requirement, key="requirement_code")  # fmt: skip


@login_required
def benefit_edit(request: HttpRequest, code: str, number: int, tier: str, item: str) -> HttpResponse:
    return _entry_page(request, code, number, tier, item, list_key="benefits", form_class=BenefitForm,
                       update=services.update_benefit, key="benefit_code")  # fmt: skip

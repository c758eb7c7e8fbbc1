"""Vendor admission: apply, score on the scorecard, admit (enrol in the marketplace programme) or decline."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import quantize
from partnerhub.core.notify import notify
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import Perm, Role
from partnerhub.identity.services import require_perm
from partnerhub.partners.models import Enrolment
from partnerhub.partners.services import enrol
from partnerhub.programmes.models import Programme

from ..choices import Industry
from ..models import ApplicationScore, ScoreCriterion, VendorApplication
from .access import require_seller, require_vendor_perm

# The shipped programme for marketplace vendors (programmes/definitions/distributor_001.yaml).
VENDOR_PROGRAMME = "marketplace-vendors"
VENDOR_ROLE = "vendor"
STARTING_TIER = "emerging"


# The scorecard's default criteria (source document 000), as migration 0002 seeds them; the demo seeds them
# again where they are missing (a database emptied by tests keeps no migration data).
DEFAULT_CRITERIA = [
    ("complexity", "Сложность решения", "Complexity of the solution", Decimal("30"), 1),
    ("innovation", "Инновационность (прорывные технологии)", "Innovation (use of breakthrough technologies)",
     Decimal("40"), 2),
    ("demand", "Спрос текущих и потенциальных заказчиков", "Demand from current and prospective customers",
     Decimal("30"), 3),
]  # fmt: skip


def ensure_default_criteria() -> None:
    """The default criteria, where the scorecard has none of that code (idempotent)."""
    for code, name_ru, name_en, weight, position in DEFAULT_CRITERIA:
        ScoreCriterion.objects.get_or_create(
            code=code, defaults={"name_ru": name_ru, "name_en": name_en, "weight": weight, "position": position}
        )


def _required(errors: dict, **values: str) -> None:
    for field, value in values.items():
        if not (value or "").strip():
            errors[field] = [ValidationError(_("This field is required."), code="required")]


@transaction.atomic
def vendor_apply(
    *, actor: User, organisation: Organisation, software_description: str, focus_industries: list[str],
    implementation_stories: str, company_profile: str,
) -> VendorApplication:  # fmt: skip
    """A software vendor applies to sell on the marketplace (one open application at a time)."""
    require_seller(actor=actor, organisation=organisation)
    errors: dict[str, list] = {}
    _required(errors, software_description=software_description, implementation_stories=implementation_stories,
              company_profile=company_profile)  # fmt: skip
    unknown = [code for code in focus_industries or [] if code not in Industry.values]
    if not focus_industries:
        errors["focus_industries"] = [ValidationError(_("Choose at least one industry."), code="required")]
    elif unknown:
        errors["focus_industries"] = [_("Unknown industries: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}]
    apps = VendorApplication.objects.select_for_update().filter(organisation=organisation)
    if apps.filter(status=VendorApplication.Status.ADMITTED).exists():
        errors["__all__"] = [ValidationError(_("This company is already admitted."), code="admitted")]
    elif apps.filter(status=VendorApplication.Status.SUBMITTED).exists():
        errors["__all__"] = [ValidationError(_("An application of this company awaits assessment."), code="open")]
    if errors:
        raise ValidationError(errors)
    application = VendorApplication.objects.create(
        organisation=organisation, software_description=software_description.strip(),
        focus_industries=sorted(set(focus_industries)), implementation_stories=implementation_stories.strip(),
        company_profile=company_profile.strip(), submitted_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="vendor_application.submitted", obj=application, organisation=organisation,
                 after=audit.snapshot(application))  # fmt: skip
    experts = User.objects.filter(
        memberships__organisation__kind="vendor", memberships__role__in=[Role.VENDOR_ADMIN, Role.PARTNER_MANAGER]
    ).distinct()
    notify(users=experts, kind="marketplace.application", title=_("New marketplace vendor application: %(org)s")
           % {"org": organisation.name}, url=f"/marketplace/applications/{application.pk}/", email=False)  # fmt: skip
    return application


@transaction.atomic
def criterion_save(
    *, actor: User | None, code: str, name_ru: str, name_en: str, weight: Decimal, position: int = 0,
    is_active: bool = True,
) -> ScoreCriterion:  # fmt: skip
    """Add a scorecard criterion or change one (vendor administrators)."""
    vendor = require_vendor_perm(actor=actor, perm=Perm.STOREFRONTS_MANAGE) if actor is not None else None
    criterion = ScoreCriterion.objects.select_for_update().filter(code=code).first()
    before = audit.snapshot(criterion) if criterion else None
    criterion = criterion or ScoreCriterion(code=code)
    for key, value in {"name_ru": name_ru, "name_en": name_en, "weight": weight, "position": position,
                       "is_active": is_active}.items():  # fmt: skip
        setattr(criterion, key, value)
    criterion.full_clean()
    criterion.save()
    audit.record(actor=actor, action="score_criterion.saved", obj=criterion, organisation=vendor, before=before,
                 after=audit.snapshot(criterion))  # fmt: skip
    return criterion


def _open(application: VendorApplication) -> VendorApplication:
    locked = VendorApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status != VendorApplication.Status.SUBMITTED:
        raise ValidationError({"status": [ValidationError(_("This application has been decided."), code="decided")]})
    return locked


@transaction.atomic
def application_score(
    *, actor: User, application: VendorApplication, criterion_code: str, score: int, comment: str = ""
) -> ApplicationScore:
    """An expert scores one criterion from 1 to 5 (scoring again replaces their own score)."""
    require_perm(actor=actor, perm=Perm.MARKETPLACE_ASSESS, organisation=application.organisation)
    application = _open(application)
    criterion = ScoreCriterion.objects.filter(code=criterion_code, is_active=True).first()
    if criterion is None:
        raise ValidationError(
            {"criterion_code": [_("No criterion %(code)s on the scorecard.") % {"code": criterion_code}]}
        )
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": [_("Score from 1 to 5.")]})
    row, _created = ApplicationScore.objects.update_or_create(
        application=application, criterion=criterion, expert=actor,
        defaults={"score": score, "comment": (comment or "").strip()},
    )  # fmt: skip
    after = {"criterion": criterion.code, "score": score}
    audit.record(actor=actor, action="vendor_application.scored", obj=application,
                 organisation=application.organisation, after=after)  # fmt: skip
    return row


def scorecard(application: VendorApplication) -> tuple[list[dict], Decimal | None, list[str]]:
    """Per active criterion its weight and mean score; the weighted total (of 5); the criteria nobody scored."""
    means = dict(
        ApplicationScore.objects.filter(application=application)
        .values_list("criterion_id")
        .annotate(mean=Avg("score"))
        .values_list("criterion_id", "mean")
    )
    rows, missing = [], []
    weighted, weights = Decimal(0), Decimal(0)
    for c in ScoreCriterion.objects.filter(is_active=True):
        mean = means.get(c.pk)
        mean = None if mean is None else quantize(Decimal(str(mean)))
        rows.append({"code": c.code, "name_ru": c.name_ru, "name_en": c.name_en, "weight": str(c.weight),
                     "mean": None if mean is None else str(mean)})  # fmt: skip
        if mean is None:
            missing.append(c.code)
        else:
            weighted += mean * c.weight
            weights += c.weight
    total = quantize(weighted / weights) if weights and not missing else None
    return rows, total, missing


@transaction.atomic
def application_decide(
    *, actor: User, application: VendorApplication, admit: bool, note: str = ""
) -> VendorApplication:
    """Admit (enrol in the marketplace vendor programme) or decline; the scorecard is kept on the application."""
    require_perm(actor=actor, perm=Perm.MARKETPLACE_ASSESS, organisation=application.organisation)
    application = _open(application)
    rows, total, missing = scorecard(application)
    if admit and missing:
        raise ValidationError({"scores": [_("Score every criterion before admitting: %(codes)s.")
                                          % {"codes": ", ".join(missing)}]})  # fmt: skip
    if not admit and not (note or "").strip():
        raise ValidationError({"note": [ValidationError(_("Say why the application is declined."), code="required")]})
    before = audit.snapshot(application)
    if admit:
        application.enrolment = _enrol(actor=actor, organisation=application.organisation)
    application.status = VendorApplication.Status.ADMITTED if admit else VendorApplication.Status.DECLINED
    application.decision_note = (note or "").strip()
    application.scorecard, application.total_score = rows, total
    application.decided_by, application.decided_at = actor, timezone.now()
    application.save()
    audit.record(actor=actor, action=f"vendor_application.{application.status}", obj=application,
                 organisation=application.organisation, before=before, after=audit.snapshot(application))  # fmt: skip
    admins = User.objects.filter(memberships__organisation=application.organisation,
                                 memberships__role=Role.PARTNER_ADMIN)  # fmt: skip
    title = _("Admitted to the marketplace") if admit else _("Marketplace application declined")
    notify(users=admins, organisation=application.organisation, kind="marketplace.decision", title=title,
           body=application.decision_note, url="/marketplace/")  # fmt: skip
    return application


def _enrol(*, actor: User, organisation: Organisation) -> Enrolment:
    programme = Programme.objects.filter(code=VENDOR_PROGRAMME).first()
    if programme is None:
        raise ValidationError({"programme": [_("The marketplace vendor programme (%(code)s) is not loaded.")
                                             % {"code": VENDOR_PROGRAMME}]})  # fmt: skip
    existing = Enrolment.objects.filter(organisation=organisation, programme=programme).first()
    if existing is not None:
        return existing
    return enrol(actor=actor, organisation=organisation, programme=programme, role_code=VENDOR_ROLE,
                 starting_tier_code=STARTING_TIER, joined_on=timezone.localdate(), active=True)  # fmt: skip


def is_admitted(organisation_id: int) -> bool:
    return VendorApplication.objects.filter(organisation_id=organisation_id,
                                            status=VendorApplication.Status.ADMITTED).exists()  # fmt: skip

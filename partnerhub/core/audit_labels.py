"""What audit entries say to people: actions and changed fields by their translated labels, never by code.

The audit log stores codes (``lead.offered``, ``status: "held"``); the pages show "Lead offered to a
partner" and "Status: Under review", reading each field's verbose name and choice labels from the
model named by the entry's ``object_type``. An action not listed here is shown by its object's name.

Values that are codes of data the core does not know (a tier or role code of a programme, an obligation)
are named by the app that owns them: it registers a namer with :func:`register_values`, and
:func:`prepare` asks each namer once for a whole page of entries (one query, however many rows).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .formatting import number

ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")

ACTIONS = {
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
    "application.approved": _("Application approved"),
    "application.contract_uploaded": _("Signed contract uploaded"),
    "application.rejected": _("Application rejected"),
    "application.submitted": _("Application submitted"),
    "application.terms_accepted": _("Programme terms accepted"),
    "certification.added": _("Certificate added"),
    "certification.removed": _("Certificate removed"),
    "certification.issued": _("Certificate issued for a passed exam"),
    "certification.revoked": _("Certificate revoked"),
    "certification.expired": _("Certificate expired"),
    "course.created": _("Course created"),
    "course.updated": _("Course changed"),
    "course.enrolled": _("Specialist enrolled in a course"),
    "course.completed": _("Course completed"),
    "lesson.added": _("Lesson added"),
    "lesson.updated": _("Lesson changed"),
    "exam.created": _("Exam created"),
    "exam.updated": _("Exam changed"),
    "exam.question_added": _("Exam question added"),
    "exam.attempt_started": _("Exam attempt started"),
    "exam.attempt_submitted": _("Exam attempt submitted"),
    "deal.approved": _("Deal approved"),
    "deal.held": _("Deal held for review"),
    "deal.registered": _("Deal registered"),
    "referral.registered": _("Referral claim registered"),
    "direct.registered": _("Direct opportunity registered"),
    "deal.conflict_resolved": _("Deal conflict settled"),
    "deal.escalated": _("Deal decision escalated"),
    "deal.extension_requested": _("Protection extension requested"),
    "deal.extension_approved": _("Protection extension approved"),
    "deal.extension_rejected": _("Protection extension refused"),
    "deal.flagged_stale": _("Deal flagged as without movement"),
    "deal.note_added": _("Note added to a deal"),
    "deal.protection_expired": _("Deal protection ended"),
    "deal.protection_lapsed": _("Deal protection lapsed for inactivity"),
    "deal.protection_withdrawn": _("Deal protection withdrawn"),
    "deal.rejected": _("Deal rejected"),
    "deal.stage_changed": _("Deal stage changed"),
    "deal.updated": _("Deal changed"),
    "deal.withdrawn": _("Deal withdrawn"),
    "deal.won": _("Deal won"),
    "deal.lost": _("Deal lost"),
    "enrolment.activated": _("Enrolment activated"),
    "enrolment.created": _("Partner enrolled"),
    "invitation.accepted": _("Invitation accepted"),
    "invitation.created": _("Invitation sent"),
    "invitation.revoked": _("Invitation revoked"),
    "lead.accepted": _("Lead accepted"),
    "lead.closed": _("Lead closed"),
    "lead.created": _("Lead created"),
    "lead.declined": _("Lead declined"),
    "lead.offer_expired": _("Lead offer expired"),
    "lead.offer_withdrawn": _("Lead offer withdrawn"),
    "lead.offered": _("Lead offered to a partner"),
    "lead.unassigned": _("Lead left without a partner"),
    "listing.approved": _("Listing version approved and published"),
    "listing.created": _("Marketplace listing created"),
    "listing.pricing_saved": _("Listing pricing saved"),
    "listing.provisioning_saved": _("Listing provisioning saved"),
    "listing.rejected": _("Listing version returned with comments"),
    "listing.revision_started": _("Edit of a live listing started"),
    "listing.screenshot_added": _("Screenshot added to a listing"),
    "listing.screenshot_removed": _("Screenshot removed from a listing"),
    "listing.service_saved": _("Listing texts and facts saved"),
    "provisioning.requested": _("Provisioning requested"),
    "provisioning.approved": _("Provisioning completed"),
    "provisioning.failed": _("Provisioning failed"),
    "provisioning.inquiring": _("Vendor asked the customer for more details"),
    "provisioning.answered": _("Customer answered the vendor's questions"),
    "provisioning.retried": _("Provisioning retried by an operator"),
    "provisioning.taken": _("Manual provisioning task taken"),
    "provisioning.escalated": _("Manual provisioning task escalated"),
    "provisioning.callback_received": _("Vendor's completion callback received"),
    "listing.storefronts_saved": _("Listing storefronts chosen"),
    "listing.submitted": _("Listing submitted for moderation"),
    "score_criterion.saved": _("Admission criterion saved"),
    "storefront.saved": _("Storefront saved"),
    "vendor_application.admitted": _("Vendor admitted to the marketplace"),
    "vendor_application.declined": _("Vendor application declined"),
    "vendor_application.scored": _("Vendor application scored"),
    "vendor_application.submitted": _("Vendor applied to the marketplace"),
    "membership.created": _("Member added"),
    "membership.removed": _("Member removed"),
    "membership.role_changed": _("Member's role changed"),
    "obligation.recorded": _("Obligation recorded"),
    "obligation.submitted": _("Evidence submitted"),
    "obligation.accepted": _("Evidence accepted"),
    "obligation.rejected": _("Evidence rejected"),
    "organisation.created": _("Organisation created"),
    "organisation.signed_up": _("Customer signed up"),
    "organisation.updated": _("Organisation changed"),
    "partner_profile.updated": _("Public profile changed"),
    "programme.draft_created": _("Programme draft created"),
    "programme.draft_edited": _("Programme draft edited"),
    "programme.imported": _("Programme imported"),
    "programme.published": _("Programme version published"),
    "programme.retired": _("Programme version retired"),
    "referral.attributed": _("Customer attributed to a partner"),
    "referral.attribution_confirmed": _("Referral attribution confirmed"),
    "referral.attribution_ended": _("Referral attribution ended"),
    "referral.attribution_refused": _("Referral attribution refused"),
    "referral.conversion_credited": _("Referred purchase credited"),
    "referral.conversion_rejected": _("Referred purchase not credited"),
    "payout_run.approved": _("Payout run approved"),
    "payout_run.cancelled": _("Payout run cancelled"),
    "payout_run.paid": _("Payout run paid"),
    "payout_run.prepared": _("Payout run prepared"),
    "period.closed": _("Reward period closed"),
    "referral.purchase_recorded": _("Purchase recorded"),
    "referral.signup": _("Referred customer signed up"),
    "referral_link.activated": _("Referral link switched on"),
    "referral_link.created": _("Referral link created"),
    "referral_link.deactivated": _("Referral link switched off"),
    "referral_link.updated": _("Referral link changed"),
    "sale.paid": _("Customer payment recorded"),
    "sale.recorded": _("Sale recorded"),
    "sales.imported": _("Sales imported"),
    "specialist.created": _("Specialist added"),
    "specialist.updated": _("Specialist changed"),
    "tier.changed": _("Tier changed"),
    "tier.overridden": _("Tier set by the partner manager"),
    "webhook.endpoint_created": _("Webhook endpoint added"),
    "webhook.endpoint_deleted": _("Webhook endpoint deleted"),
    "webhook.endpoint_disabled": _("Webhook endpoint disabled"),
    "webhook.endpoint_updated": _("Webhook endpoint changed"),
    "webhook.redelivered": _("Webhook sent again"),
    "webhook.secret_rotated": _("Webhook secret replaced"),
    "webhook.test_sent": _("Test webhook sent"),
}


# Names of audited keys that are not fields of the entry's model, or fields whose models name them only in
# English: these names win over the model's.
FIELDS = {
    "cause": _("What changed it"),
    "version_id": _("Programme version"),
    "starting_tier_code": _("Starting tier"),
    "partner_manager_id": _("Partner manager"),
    "hold_reasons": _("Why it is held"),
    "specialist_id": _("Specialist"),
    "type_id": _("Certification type"),
    "user_id": _("Person"),
    "partner_id": _("Partner"),
    "deal_id": _("Deal"),
    "deal": _("Deal"),
    "lead_id": _("Lead"),
    "programme_id": _("Programme"),
    "consent": _("Consent to data processing"),
    "decision_reason": _("Reason for the decision"),
    "obligation": _("Obligation"),
    "review_reason": _("Reason"),
    "valid_from": _("Valid from"),
    "valid_until": _("Valid until"),
    "published_at": _("Published"),
    "reason": _("Reason"),
    "sale_id": _("Sale"),
    "version": _("Programme version"),
    "claim_id": _("Deal"),
    "end_reason": _("Why it ended"),
    "link_id": _("Referral link"),
    "amount": _("Amount"),
    "debit": _("Account debited"),
    "credit": _("Account credited"),
    "product_family": _("Product family"),
    "referral_id": _("Referral record"),
    "specialist": _("Specialist"),
    "user": _("Person"),
    "partner": _("Partner"),
    "lead": _("Lead"),
    "plans": _("Plans"),
    "languages": _("Languages"),
    "industries": _("Industries"),
    "mode": _("Provisioning"),
    "storefronts": _("Storefronts"),
    "at": _("When"),
    "event": _("Event"),
    "request": _("Request"),
    "currency": _("Currency"),
    "files": _("Files"),
    "budget": _("Budget"),
    "organisation": _("Organisation"),
    "subscription": _("Subscription"),
    "listing": _("Listing"),
    "storefront": _("Storefront"),
    "live_version": _("Live version"),
    "url": _("Address"),
    "passed": _("Passed"),
    "failed": _("Failed"),
    "token_changed": _("Token changed"),
    "criterion": _("Criterion"),
    "score": _("Score"),
    "number": _("Number"),
    "file_kind": _("File kind"),
    "size": _("Size"),
    "note": _("Note"),
    "enablement.certification.type": _("Certification type"),
    "partners.obligationrecord.status": _("Status"),
}


def action_label(action: str, object_type: str = "") -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    model = _model(object_type)
    return str(model._meta.verbose_name).capitalize() if model else _("Change")


# How a change came in (AuditEntry.via).
CHANNELS = {"ui": _("web portal"), "api": _("API"), "job": _("background job"), "cli": _("command line")}


def channel_label(via: str) -> str:
    return str(CHANNELS.get(via, via))


def actor_label(stored: str) -> str:
    """Who did it, as written into the entry: a person's e-mail, or — for nobody signed in — the channel or
    "system", which are shown by their names."""
    if stored == "system":
        return str(_("the system"))
    return channel_label(stored)


def object_type_label(object_type: str) -> str:
    """``partners.enrolment`` → "Enrolment" (the model's name in the reader's language)."""
    model = _model(object_type)
    return str(model._meta.verbose_name).capitalize() if model else object_type


def _model(object_type: str):
    try:
        return apps.get_model(object_type) if object_type and "." in object_type else None
    except LookupError:
        return None


STRUCTURED = _("(a structured value: the audit API returns it in full)")


def _shown(value):
    """A list as its items, a mapping (a whole definition) as a note, yes/no for a flag, anything else as it is."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and ISO_DATETIME.match(value):  # a moment, as the encoder wrote it
        moment = parse_datetime(value)
        if moment is not None:
            return formats.date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment,
                                       "SHORT_DATETIME_FORMAT")  # fmt: skip
    if isinstance(value, dict):
        return STRUCTURED
    if isinstance(value, list):
        return ", ".join(str(STRUCTURED if isinstance(v, (dict, list)) else v) for v in value) or None
    return value


def _value(field, value):
    if value is None or value == "" or isinstance(value, (list, dict)):
        return value
    choices = dict(field.flatchoices) if getattr(field, "choices", None) else {}
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(field, models.DecimalField) and not choices:
        try:
            return number(Decimal(str(value)), field.decimal_places)
        except (InvalidOperation, ValueError):
            return str(value)
    return str(choices.get(value, value))


Namer = Callable[[set[str]], dict[str, object]]
_NAMERS: dict[tuple[str, str], Namer] = {}


def register_values(object_type: str, fields: Iterable[str], namer: Namer) -> None:
    """``namer(codes)`` gives the names of the codes found in these fields of ``object_type`` entries
    (``{"authorized": <Tier>}``; each name is turned to text when shown, in the reader's language)."""
    for field in fields:
        _NAMERS[(object_type, field)] = namer


def _codes(value) -> list[str]:
    """The codes in a value: itself, or the items of a list of codes."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    return []


def _named(value, names: dict):
    if isinstance(value, str) and value:
        return str(names.get(value, value))
    if isinstance(value, list):
        return ", ".join(str(names.get(v, v)) if isinstance(v, str) else str(v) for v in value) or None
    return value


def prepare(entries: Iterable) -> None:
    """Name the registered codes of these entries' changes, each namer called once for all of them."""
    entries = list(entries)
    wanted: dict[Namer, set[str]] = defaultdict(set)
    for entry in entries:
        for name, before, after in entry.changes:
            namer = _NAMERS.get((entry.object_type, name))
            if namer is not None:
                wanted[namer] |= {v for value in (before, after) for v in _codes(value)}
    named = {namer: namer(codes) for namer, codes in wanted.items()}
    for entry in entries:
        entry.value_names = named


def labelled_changes(entry) -> list[tuple[str, object, object]]:
    """(field label, before, after) of every changed field, labels and choice values translated."""
    model = _model(entry.object_type)
    if not hasattr(entry, "value_names"):
        prepare([entry])
    out = []
    for name, before, after in entry.changes:
        namer = _NAMERS.get((entry.object_type, name))
        if namer is not None:
            names = entry.value_names.get(namer, {})
            before, after = _named(before, names), _named(after, names)
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        if field is None:
            out.append((str(FIELDS.get(name, name.replace("_", " "))).capitalize(), _shown(before), _shown(after)))
            continue
        named = FIELDS.get(f"{entry.object_type}.{name}") or FIELDS.get(name)
        label = str(named or getattr(field, "verbose_name", name)).capitalize()
        if namer is not None:
            out.append((label, _shown(before), _shown(after)))
            continue
        out.append((label, _shown(_value(field, before)), _shown(_value(field, after))))
    return out

"""What audit entries say to people: actions and changed fields by their translated labels, never by code.

The audit log stores codes (``lead.offered``, ``status: "held"``); the pages show "Lead offered to a
partner" and "Status: Under review", reading each field's verbose name and choice labels from the
model named by the entry's ``object_type``. An action not listed here is shown by its object's name.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

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
    "referral.purchase_recorded": _("Purchase recorded"),
    "referral.signup": _("Referred customer signed up"),
    "referral_link.activated": _("Referral link switched on"),
    "referral_link.created": _("Referral link created"),
    "referral_link.deactivated": _("Referral link switched off"),
    "referral_link.updated": _("Referral link changed"),
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


def action_label(action: str, object_type: str = "") -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    model = _model(object_type)
    return str(model._meta.verbose_name).capitalize() if model else _("Change")


def _model(object_type: str):
    try:
        return apps.get_model(object_type) if object_type and "." in object_type else None
    except LookupError:
        return None


def _value(field, value):
    if value is None or value == "" or isinstance(value, (list, dict)):
        return value
    choices = dict(field.flatchoices) if getattr(field, "choices", None) else {}
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(choices.get(value, value))


def labelled_changes(entry) -> list[tuple[str, object, object]]:
    """(field label, before, after) of every changed field, labels and choice values translated."""
    model = _model(entry.object_type)
    out = []
    for name, before, after in entry.changes:
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        if field is None:
            out.append((name.replace("_", " ").capitalize(), before, after))
            continue
        label = str(getattr(field, "verbose_name", name)).capitalize()
        out.append((label, _value(field, before), _value(field, after)))
    return out

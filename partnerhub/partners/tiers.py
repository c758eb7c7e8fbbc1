"""Tier state changes: the evaluation run (batched), overrides; history, audit and notices for each.

This module writes; ``evaluation`` is the read-only engine it calls (the arrow points one way).
"""

from __future__ import annotations

import contextvars
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection, send_mass_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, request_context
from partnerhub.core.bulk import id_list, insert_rows
from partnerhub.core.i18n import pick
from partnerhub.core.models import AuditEntry, Notification
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Membership, User
from partnerhub.identity.roles import Role
from partnerhub.programmes.models import Programme
from partnerhub.programmes.selectors import version_in_force

from .evaluation import Measurements, downgrade_date, evaluate_one, load_version
from .models import Enrolment, TierChange

UPDATE_FIELDS = [
    "evaluated_tier_code", "evaluated_on", "evaluated_version", "explanation", "evaluation_digest", "tier_code",
    "tier_since", "downgrade_due_on", "override_tier_code", "override_until", "override_reason",
]  # fmt: skip
# What a run reads of each enrolment: the tier state and the digest, never the explanation.
STATE_FIELDS = (
    "id", "organisation_id", "tier_code", "tier_since", "evaluated_tier_code", "evaluated_on", "evaluated_version_id",
    "downgrade_due_on", "override_tier_code", "override_until", "override_reason", "evaluation_digest",
)  # fmt: skip
STATE_ATTRS = ("pk", *STATE_FIELDS[1:])  # the same, as attributes of a _State
HISTORY_ATTRS = ("enrolment_id", "effective_on", "from_tier_code", "to_tier_code", "version_id", "cause", "actor_id",
                 "explanation")  # fmt: skip
BATCH_SIZE = 5000


# ------------------------------------------------------------------ the run


@dataclass
class RunSummary:
    programme: str
    on: date
    evaluated: int = 0
    upgraded: int = 0
    downgraded: int = 0
    downgrade_scheduled: int = 0
    unchanged: int = 0
    written: int = 0  # enrolments whose tier, pending change or explanation changed
    batches: int = 0

    def add(self, other: RunSummary) -> None:
        for name in ("evaluated", "upgraded", "downgraded", "downgrade_scheduled", "unchanged", "written", "batches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def evaluate_programme(
    *, programme: Programme, on: date, enrolment_ids: list[int] | None = None, actor=None, batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> RunSummary:  # fmt: skip
    """Evaluate every active, tiered enrolment of ``programme`` on ``on`` and apply the results.

    Enrolments go in batches of ``batch_size`` organisations (ranges of organisation ids), each in
    its own transaction that locks only that batch's rows (``FOR UPDATE``), so memory and lock time
    are bounded by the batch, not the programme. Per batch: one grouped query per metric source,
    one for obligations, one for websites. A partner whose inputs digest is unchanged and whose
    tier state has nothing due is skipped without building its explanation; only enrolments whose
    tier, pending change or explanation changed are written.

    On PostgreSQL, outside a caller's transaction, ``workers`` (``TIER_EVALUATION_WORKERS``,
    default 2) threads each take batches on their own connection: while one thread waits for the
    database to apply its batch, the other evaluates the next in Python. Batches cover disjoint
    organisations, so they never wait for each other's locks.
    """
    summary = RunSummary(programme=programme.code, on=on)
    version = version_in_force(programme=programme, on=on)
    if version is None:
        return summary
    vdef = load_version(version)
    base = Enrolment.objects.filter(
        programme=programme, status=Enrolment.Status.ACTIVE, role_code__in=vdef.tiered_roles
    ).order_by()
    if enrolment_ids is not None:
        base = base.filter(pk__in=enrolment_ids)
    ranges = _batch_ranges(base, batch_size)
    workers = workers or settings.TIER_EVALUATION_WORKERS
    if connection.vendor != "postgresql" or connection.in_atomic_block or len(ranges) < 2:
        workers = 1  # a caller's transaction (or SQLite's single writer) is one connection's work
    lock = threading.Lock()

    def run(bounds: tuple[int | None, int | None]) -> None:
        part = RunSummary(programme=programme.code, on=on)
        with transaction.atomic():
            rows = list(
                base.filter(**_bounded(bounds)).order_by("organisation_id").select_for_update()
                .values_list(*STATE_FIELDS)
            )  # fmt: skip
            if rows:
                part.batches = 1
                m = Measurements(vdef, [r[1] for r in rows], on, org_range=(rows[0][1], rows[-1][1]))
                _evaluate_batch(vdef, rows, m, on, part, actor)
        with lock:
            summary.add(part)

    if workers == 1:
        for bounds in ranges:
            run(bounds)
        return summary
    context = contextvars.copy_context()  # the request's audit context, in every thread

    def in_thread(bounds):
        try:
            return context.copy().run(run, bounds)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tiers") as pool:
        for _ in pool.map(in_thread, ranges):
            pass
    return summary


def _batch_ranges(base, batch_size: int) -> list[tuple[int | None, int | None]]:
    """Organisation id ranges of ``batch_size`` enrolments each; the first and last are open-ended, so
    an enrolment added meanwhile still falls in one."""
    ids = list(base.order_by("organisation_id").values_list("organisation_id", flat=True))
    if not ids:
        return []
    starts = ids[::batch_size]
    return [(None if i == 0 else lo, None if i == len(starts) - 1 else starts[i + 1] - 1)
            for i, lo in enumerate(starts)]  # fmt: skip


def _bounded(bounds: tuple[int | None, int | None]) -> dict[str, int]:
    lo, hi = bounds
    return {k: v for k, v in (("organisation_id__gte", lo), ("organisation_id__lte", hi)) if v is not None}


def evaluate_all(*, on: date | None = None) -> list[RunSummary]:
    """The daily job: every programme, idempotent for a given day."""
    day = on or timezone.localdate()
    return [evaluate_programme(programme=p, on=day) for p in Programme.objects.order_by("pk")]


def _due(vdef, row: tuple, qualified: str | None, on: date) -> bool:
    """Whether the tier state must change although the evaluation did not (a date was reached)."""
    _id, _org, cur, _since, _ev, _evon, _ver, downgrade_due_on, override, override_until, _reason, _d = row
    if override:
        return override_until is not None and override_until < on
    rank_q, rank_cur = vdef.rank_of(qualified), vdef.rank_of(cur)
    if rank_q > rank_cur:
        return True
    if rank_q < rank_cur:
        return downgrade_due_on is None or downgrade_due_on <= on
    return downgrade_due_on is not None


class _State:
    """One enrolment's tier state as a run reads and writes it: a row, not a model instance
    (building 50,000 instances with their descriptors costs more than evaluating them)."""

    __slots__ = (*STATE_ATTRS, "explanation")

    def __init__(self, row: tuple):
        for name, value in zip(STATE_ATTRS, row, strict=True):
            setattr(self, name, value)
        self.explanation = None


def _evaluate_batch(vdef, rows: list[tuple], m: Measurements, on: date, summary, actor) -> None:
    changed: list[_State] = []
    evaluations = {}
    for row in rows:
        digest = m.digest(row[1], contract_signed=True)
        if digest == row[11] and not _due(vdef, row, row[4], on):
            summary.evaluated += 1
            summary.unchanged += 1
            continue
        e = _State(row)
        evaluations[e.pk] = evaluate_one(vdef, m, e.organisation_id, contract_signed=True)
        e.evaluation_digest = digest
        changed.append(e)
    apply_evaluations(vdef=vdef, enrolments=changed, evaluations=evaluations, on=on, summary=summary, actor=actor)
    summary.written += len(changed)


def apply_evaluations(*, vdef, enrolments: list[_State], evaluations: dict, on: date, summary, actor=None) -> None:
    """Apply fresh evaluations to locked enrolments (caller holds the transaction)."""
    history: list[tuple] = []  # rows of HISTORY_ATTRS
    notices: list[tuple[_State, str, str]] = []  # (enrolment, kind, text)
    names = {t.code: pick(t.name, t.name_en) for t in vdef.tiers}
    version_id = vdef.version.pk
    actor_id = actor.pk if actor else None
    for e in enrolments:
        ev = evaluations[e.pk]
        summary.evaluated += 1
        q, cur = ev.qualified, e.tier_code
        e.evaluated_tier_code, e.evaluated_on, e.evaluated_version_id = q, on, version_id
        e.explanation = ev.stored_json()
        new, cause = cur, None
        if e.override_tier_code:
            if e.override_until is not None and e.override_until < on:
                new, cause = q, TierChange.Cause.OVERRIDE_ENDED
                e.override_tier_code, e.override_until, e.override_reason = None, None, ""
                e.downgrade_due_on = None
        elif vdef.rank_of(q) > vdef.rank_of(cur):
            new, cause = q, TierChange.Cause.EVALUATION
            e.downgrade_due_on = None
        elif vdef.rank_of(q) < vdef.rank_of(cur):
            if e.downgrade_due_on is None:
                e.downgrade_due_on = downgrade_date(vdef, on)
                summary.downgrade_scheduled += 1
                notices.append((e, "tier.at_risk", _("Your tier %(tier)s is at risk: requirements are not met. "
                                "Unless they are met by %(date)s, it changes to %(new)s.") % {
                                    "tier": names.get(cur, cur), "date": e.downgrade_due_on.isoformat(),
                                    "new": names.get(q, q) or _("no tier")}))  # fmt: skip
            elif e.downgrade_due_on <= on:
                new, cause = q, TierChange.Cause.EVALUATION
                e.downgrade_due_on = None
        elif e.downgrade_due_on is not None:
            e.downgrade_due_on = None  # requirements met again: no downgrade
        if cause is not None and new != cur:
            e.tier_code, e.tier_since = new, on
            if vdef.rank_of(new) > vdef.rank_of(cur):
                summary.upgraded += 1
            else:
                summary.downgraded += 1
            history.append((e.pk, e.organisation_id, on, cur, new, version_id, str(cause), actor_id, e.explanation))
            notices.append((e, "tier.changed", _("Your tier changed from %(old)s to %(new)s.") % {
                "old": names.get(cur, cur) or _("no tier"), "new": names.get(new, new) or _("no tier")}))  # fmt: skip
        else:
            summary.unchanged += 1
    _save_evaluated(enrolments)
    insert_rows(TierChange, HISTORY_ATTRS, (h[:1] + h[2:] for h in history))
    _audit_changes(history, actor, str(vdef.version))
    _notify(notices)


def _save_evaluated(enrolments: list[_State]) -> None:
    """Write the evaluated fields of many enrolments at once.

    On PostgreSQL the rows are copied into a temporary table and applied with one
    UPDATE ... FROM: Django's bulk_update builds a CASE expression per field whose cost
    grows with the square of the batch (measured: 25 s of 41 s for 5,000 partners).
    """
    if not enrolments:
        return
    attnames = [Enrolment._meta.get_field(f).attname for f in UPDATE_FIELDS]
    if connection.vendor != "postgresql":
        objs = []
        for e in enrolments:
            obj = Enrolment(id=e.pk, **{a: getattr(e, a) for a in attnames if a != "explanation"})
            obj.explanation = json.loads(e.explanation)
            objs.append(obj)
        Enrolment.objects.bulk_update(objs, UPDATE_FIELDS, batch_size=2000)
        return
    columns = ["id", *[Enrolment._meta.get_field(f).column for f in UPDATE_FIELDS]]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS enrolment_evaluated")
        names = ", ".join(columns)  # column names from the model's metadata, never from input
        cur.execute(f"CREATE TEMP TABLE enrolment_evaluated AS SELECT {names} FROM partners_enrolment WITH NO DATA")  # noqa: S608
        with cur.connection.cursor().copy(f"COPY enrolment_evaluated ({', '.join(columns)}) FROM STDIN") as copy:
            for e in enrolments:
                copy.write_row([e.pk, *[getattr(e, a) for a in attnames]])
        cur.execute("ANALYZE enrolment_evaluated")  # else the planner guesses its size and may loop over it
        assignments = ", ".join(f"{c} = u.{c}" for c in columns[1:])
        cur.execute(f"UPDATE partners_enrolment AS e SET {assignments} FROM enrolment_evaluated AS u WHERE e.id = u.id")  # noqa: S608
        cur.execute("DROP TABLE enrolment_evaluated")


AUDIT_ATTRS = ("actor_id", "actor_label", "organisation_id", "action", "object_type", "object_id", "object_repr",
               "before", "after", "via", "request_id", "ip")  # fmt: skip


def _audit_changes(history: list[tuple], actor, version_name: str) -> None:
    """One row per change; its object is named by the programme version (the organisation is shown beside
    it, the tiers among the changes)."""
    ctx = request_context.current()
    label, via = (actor.email if actor else "system"), ctx.via or "job"
    insert_rows(AuditEntry, AUDIT_ATTRS, (
        (actor_id, label, org_id, "tier.changed", "partners.enrolment", str(pk), version_name[:300],
         {"tier_code": old}, {"tier_code": new, "version_id": version_id, "cause": cause}, via, ctx.request_id, ctx.ip)
        for pk, org_id, _on, old, new, version_id, cause, actor_id, _explanation in history
    ))  # fmt: skip


def _notify(notices: list[tuple[_State, str, str]]) -> None:
    """In-app notices to each partner's administrators and its partner manager; e-mail after commit."""
    if not notices:
        return
    org_ids = {e.organisation_id for e, _k, _t in notices}
    admins: dict[int, list[int]] = {}
    for org_id, user_id in Membership.objects.filter(
        organisation_id__in=id_list(list(org_ids)), role=Role.PARTNER_ADMIN
    ).values_list("organisation_id", "user_id"):
        admins.setdefault(org_id, []).append(user_id)
    managers = dict(
        Enrolment.objects.filter(pk__in=id_list([e.pk for e, _k, _t in notices])).values_list(
            "organisation_id", "organisation__partner_manager_id"
        )
    )
    url = reverse("partner-tier")
    rows = []
    for e, kind, text in notices:
        recipients = [*admins.get(e.organisation_id, []), managers.get(e.organisation_id)]
        for user_id in dict.fromkeys(r for r in recipients if r):
            rows.append(Notification(user_id=user_id, organisation_id=e.organisation_id, kind=kind,
                                     title=text[:300], body=text, url=url))  # fmt: skip
    Notification.objects.bulk_create(rows, batch_size=2000)
    emails = dict(User.objects.filter(pk__in={n.user_id for n in rows}).values_list("pk", "email"))
    messages = [(n.title, f"{n.body}\n\n{settings.SITE_URL}{n.url}", None, [emails[n.user_id]]) for n in rows]
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True, connection=get_connection()))


# ------------------------------------------------------------------ overrides


def _require_manager(actor: User, enrolment: Enrolment) -> None:
    who = actor_for(actor)
    if Role.VENDOR_ADMIN in who.vendor_roles:
        return
    if who.is_partner_manager and enrolment.organisation.partner_manager_id == actor.pk:
        return
    raise PermissionDenied(_("Only the partner's manager or a vendor administrator can override its tier."))


@transaction.atomic
def override_tier(*, actor: User, enrolment: Enrolment, tier_code: str, until: date, reason: str) -> Enrolment:
    e = Enrolment.objects.select_for_update().select_related("organisation", "programme").get(pk=enrolment.pk)
    _require_manager(actor, e)
    today = timezone.localdate()
    version = version_in_force(programme=e.programme, on=today)
    errors: dict[str, list[str]] = {}
    if version is None or not version.tiers.filter(code=tier_code).exists():
        errors["tier_code"] = [_("The programme in force has no such tier.")]
    elif not version.roles.filter(code=e.role_code, has_tiers=True).exists():
        errors["tier_code"] = [_("This partner's role carries no tiers.")]
    if until is None or until <= today:
        errors["until"] = [_("The override must end after today.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the override.")]
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(e)
    old = e.tier_code
    e.override_tier_code, e.override_until, e.override_reason = tier_code, until, reason.strip()
    e.tier_code, e.downgrade_due_on = tier_code, None
    if old != tier_code:
        e.tier_since = today
    e.save(update_fields=["override_tier_code", "override_until", "override_reason", "tier_code", "tier_since",
                          "downgrade_due_on"])  # fmt: skip
    TierChange.objects.create(
        enrolment=e, effective_on=today, from_tier_code=old, to_tier_code=tier_code, version=version,
        cause=TierChange.Cause.OVERRIDE, actor=actor, reason=reason.strip(),
    )  # fmt: skip
    audit.record(actor=actor, action="tier.overridden", obj=e, organisation=e.organisation, before=before,
                 after=audit.snapshot(e), reason=reason.strip())  # fmt: skip
    from partnerhub.core.notify import notify

    admins = User.objects.filter(memberships__organisation=e.organisation, memberships__role=Role.PARTNER_ADMIN)
    notify(users=list(admins), organisation=e.organisation, kind="tier.overridden", url=reverse("partner-tier"),
           title=_("Your tier is set to %(tier)s until %(date)s") % {"tier": tier_code, "date": until.isoformat()},
           body=reason.strip())  # fmt: skip
    return e


@transaction.atomic
def end_override(*, actor: User, enrolment: Enrolment) -> Enrolment:
    """End an override now; the tier then follows the evaluation at once."""
    e = Enrolment.objects.select_for_update().select_related("organisation", "programme").get(pk=enrolment.pk)
    _require_manager(actor, e)
    if not e.override_tier_code:
        raise ValidationError({"__all__": [_("This partner's tier is not overridden.")]})
    yesterday = timezone.localdate() - timedelta(days=1)
    Enrolment.objects.filter(pk=e.pk).update(override_until=yesterday)
    evaluate_programme(programme=e.programme, on=timezone.localdate(), enrolment_ids=[e.pk], actor=actor)
    e.refresh_from_db()
    return e

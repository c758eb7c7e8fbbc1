"""Periodic incentives: quarterly rebates (a tier benefit), sales contests and SPIFs the vendor defines.

Tenancy. A :class:`Rebate` and an :class:`Award` belong to their partner. An :class:`Incentive` belongs to
no single organisation, so :class:`IncentiveQuerySet` scopes it: vendor administrators, finance and
moderators read every incentive; a partner manager those open to every partner or naming one of their
partners; a partner those it is eligible for — enrolled in the incentive's programme, in one of its tiers
(when it names tiers), named (when it names partners) — and those it was awarded in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from partnerhub.core.money import CurrencyField, MoneyField
from partnerhub.core.tenancy import TenantManager, TenantQuerySet, actor_for
from partnerhub.partners.models import Enrolment


class IncentiveQuerySet(TenantQuerySet):
    def visible_to(self, user) -> IncentiveQuerySet:
        actor = actor_for(user)
        if not actor.is_authenticated:
            return self.none()
        if actor.sees_everything:
            return self.all()
        named = Incentive.partners.through.objects.filter(incentive_id=OuterRef("pk"))
        open_to_all = ~Exists(named)
        q = Q(pk__in=[])
        if actor.is_partner_manager:
            q |= open_to_all | Exists(named.filter(organisation__partner_manager=user))
        if actor.org_ids:
            enrolments = Enrolment.objects.filter(
                organisation_id__in=sorted(actor.org_ids), status=Enrolment.Status.ACTIVE, organisation__kind="partner"
            )
            for e in enrolments.values("organisation_id", "programme_id", "tier_code", "override_tier_code"):
                tier = e["override_tier_code"] or e["tier_code"]
                tiers = Q(tiers="") | (Q(tiers__contains=f",{tier},") if tier else Q(pk__in=[]))
                names = open_to_all | Exists(named.filter(organisation_id=e["organisation_id"]))
                q |= Q(programme_id=e["programme_id"]) & tiers & names
            q |= Q(pk__in=Award.objects.filter(organisation_id__in=sorted(actor.org_ids)).values("incentive_id"))
        return self.filter(q)


class Incentive(models.Model):
    """A sales contest (prizes by rank) or a SPIF (a bonus for every partner reaching a target) over a period."""

    tenant_path = "partners"  # documentation only: IncentiveQuerySet.visible_to scopes incentives

    class Kind(models.TextChoices):
        CONTEST = "contest", _("Sales contest")  # prizes to the top ranks
        SPIF = "spif", _("SPIF")  # a bonus for every partner that reaches the target

    class Metric(models.TextChoices):
        SALES_VOLUME = "sales_volume", _("Sales volume")  # counting sales, converted at each sale's date rate
        WON_DEALS = "won_deals", _("Won deals")  # deal claims won (closed) in the period
        LARGEST_SALE = "largest_sale", _("Largest single sale")  # the largest counting sale line, converted

    class BonusKind(models.TextChoices):
        PERCENT = "percent", _("Percent of the figure")
        FIXED = "fixed", _("Fixed amount")

    MONEY_METRICS = (Metric.SALES_VOLUME, Metric.LARGEST_SALE)

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.CONTEST)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    programme = models.ForeignKey("programmes.Programme", verbose_name=_("programme"), on_delete=models.PROTECT,
                                  related_name="+")  # fmt: skip
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices, default=Metric.SALES_VOLUME)
    currency = CurrencyField(
        _("currency"), help_text=_("sales in other currencies count converted at their date's rate")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), help_text=_("inclusive"))
    # Tier codes as ",certified,privileged," ("" = every tier): one indexed-free LIKE per enrolment when scoping.
    tiers = models.CharField(_("eligible tiers"), max_length=500, blank=True)
    partners = models.ManyToManyField("identity.Organisation", verbose_name=_("named partners"), blank=True,
                                      related_name="+")  # fmt: skip
    target = MoneyField(_("target"), null=True, blank=True, help_text=_("SPIF: the figure a partner must reach"))
    bonus_kind = models.CharField(_("bonus"), max_length=8, choices=BonusKind.choices, blank=True)
    bonus_percent = models.DecimalField(_("bonus (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    bonus_amount = MoneyField(_("bonus amount"), null=True, blank=True)
    show_amounts = models.BooleanField(_("partners see each other's figures"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")  # fmt: skip

    objects = IncentiveQuerySet.as_manager()

    AUDIT_FIELDS = (
        "kind", "name", "name_en", "description", "programme_id", "metric", "currency", "starts_on", "ends_on",
        "tiers", "target", "bonus_kind", "bonus_percent", "bonus_amount", "show_amounts",
    )  # fmt: skip

    class Meta:
        verbose_name = _("incentive")
        verbose_name_plural = _("incentives")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="incentive_period_order"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        """The name in the reader's language (Russian unless English is active and an English name is given)."""
        return self.name_en if self.name_en and (translation.get_language() or "ru").startswith("en") else self.name

    @property
    def tier_codes(self) -> list[str]:
        return [c for c in self.tiers.split(",") if c]

    @property
    def state(self) -> str:
        today = timezone.localdate()
        if self.awarded_at:
            return "awarded"
        if today < self.starts_on:
            return "upcoming"
        return "running" if today <= self.ends_on else "finished"

    STATES = {
        "upcoming": _("Upcoming"),
        "running": _("Running"),
        "finished": _("Finished, not awarded yet"),
        "awarded": _("Awarded"),
    }

    @property
    def state_label(self) -> str:
        return str(self.STATES[self.state])


class Prize(models.Model):
    """A contest prize for a rank (partners tied on a rank each receive it)."""

    incentive = models.ForeignKey(Incentive, on_delete=models.CASCADE, related_name="prizes")
    rank = models.PositiveIntegerField(_("rank"))
    amount = MoneyField(_("amount"))
    currency = CurrencyField(_("currency"))
    label = models.CharField(_("label"), max_length=200, blank=True)

    class Meta:
        ordering = ["incentive_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["incentive", "rank"], name="prize_unique_rank"),
            models.CheckConstraint(condition=Q(amount__gt=0) & Q(rank__gte=1), name="prize_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank}: {self.amount} {self.currency}"


class Award(models.Model):
    """What a partner won in an incentive: posted to the ledger once (kind ``incentive``)."""

    tenant_path = "organisation"

    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="awards")
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    figure = models.DecimalField(_("figure"), max_digits=20, decimal_places=2)
    amount = MoneyField(_("amount"))
    currency = CurrencyField(_("currency"))
    entry = models.ForeignKey("rewards.JournalEntry", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("incentive award")
        ordering = ["incentive_id", "rank", "organisation_id"]
        constraints = [models.UniqueConstraint(fields=["incentive", "organisation"], name="award_once_per_partner")]

    def __str__(self) -> str:
        return f"{self.incentive_id} → {self.organisation_id}: {self.amount} {self.currency}"


class Rebate(models.Model):
    """A partner's quarterly rebate in one currency: posted to the ledger once (kind ``rebate``)."""

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    currency = CurrencyField(_("currency"))
    base = MoneyField(_("rebate base"), help_text=_("the rated sales of the quarter in a tier with the rebate"))
    amount = MoneyField(_("rebate"))
    entry = models.ForeignKey("rewards.JournalEntry", on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(auto_now_add=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")  # fmt: skip

    objects = TenantManager()

    class Meta:
        verbose_name = _("quarterly rebate")
        ordering = ["-year", "-quarter", "organisation_id", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "quarter", "currency"], name="rebate_once"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="rebate_quarter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}: {self.amount} {self.currency}"

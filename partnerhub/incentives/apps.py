from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "partnerhub.incentives"
    verbose_name = _("Incentives")

    def ready(self) -> None:
        from partnerhub.core import audit_labels
        from partnerhub.programmes.selectors import tiers_by_code

        def eligible_tiers(values: set[str]) -> dict[str, object]:
            """An incentive's eligible tiers are stored as ",certified,privileged,": each named, in a list."""
            parts = {value: [c for c in value.split(",") if c] for value in values}
            names = tiers_by_code({c for codes in parts.values() for c in codes})
            return {value: ", ".join(str(names.get(c, c)) for c in codes) for value, codes in parts.items()}

        audit_labels.register_values("incentives.incentive", ("tiers",), eligible_tiers)
        self._statement_sources()

    @staticmethod
    def _statement_sources() -> None:
        """Statements name a prize's contest or SPIF and a rebate's quarter (partnerhub.rewards.statement_sources)."""
        from django.utils.translation import gettext as _

        from partnerhub.core.i18n import localized
        from partnerhub.rewards import statement_sources
        from partnerhub.rewards.models import JournalEntry

        from .models import Award, Rebate

        def awards(ids: list[int]) -> dict[int, str]:
            out = {}
            for a in Award.objects.filter(entry_id__in=ids).select_related("incentive"):
                what = f"{a.incentive.get_kind_display()} «{localized(a.incentive)}»"
                out[a.entry_id] = what + (" · " + _("place %(rank)s") % {"rank": a.rank} if a.rank else "")
            return out

        def rebates(ids: list[int]) -> dict[int, str]:
            return {r.entry_id: _("Quarterly rebate %(year)s Q%(quarter)s on %(base)s %(currency)s")
                    % {"year": r.year, "quarter": r.quarter, "base": r.base, "currency": r.currency}
                    for r in Rebate.objects.filter(entry_id__in=ids)}  # fmt: skip

        statement_sources.register(JournalEntry.Kind.INCENTIVE, awards)
        statement_sources.register(JournalEntry.Kind.REBATE, rebates)

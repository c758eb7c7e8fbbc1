from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "partnerhub.funds"
    label = "funds"
    verbose_name = _("Market and business development funds")

    def ready(self) -> None:
        """Statements name the claim behind a development-funds payment (partnerhub.rewards.statement_sources)."""
        from django.utils.translation import gettext as _

        from partnerhub.rewards import statement_sources
        from partnerhub.rewards.models import JournalEntry

        from .models import Claim

        def claims(ids: list[int]) -> dict[int, str]:
            return {c.journal_entry_id: _("Claim #%(id)s: %(title)s (%(kind)s)")
                    % {"id": c.pk, "title": c.request.title, "kind": c.request.get_kind_display()}
                    for c in Claim.objects.filter(journal_entry_id__in=ids).select_related("request")}  # fmt: skip

        statement_sources.register(JournalEntry.Kind.FUND_CLAIM, claims)

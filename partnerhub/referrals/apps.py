from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partnerhub.referrals"
    label = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from partnerhub.deals.signals import claim_status_changed

        from .services import on_claim_status_changed

        claim_status_changed.connect(on_claim_status_changed, dispatch_uid="referrals.settle_claim")

        from partnerhub.core import audit_labels
        from partnerhub.programmes.models import ProgrammeVersion

        def rules(_codes: set[str]) -> dict[str, object]:
            return dict(ProgrammeVersion._meta.get_field("referral_attribution").choices)

        audit_labels.register_values("referrals.referralattribution", ("rule",), rules)

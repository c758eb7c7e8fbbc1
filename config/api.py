"""The REST API at /api/v1: one NinjaAPI, one router per bounded context."""

from partnerhub.benefits.api import router as benefits_router
from partnerhub.core.api import ProblemAPI, SessionAuth, install_error_handlers
from partnerhub.core.api_audit import router as audit_router
from partnerhub.core.api_notifications import router as notifications_router
from partnerhub.deals.api import router as deals_router
from partnerhub.enablement.api import router as enablement_router
from partnerhub.enablement.api_events import router as events_router
from partnerhub.enablement.api_training import router as training_router
from partnerhub.funds.api import router as funds_router
from partnerhub.identity.api import public_router as invitations_public_router
from partnerhub.identity.api import router as identity_router
from partnerhub.identity.api_auth import TokenAuth
from partnerhub.incentives.api import router as incentives_router
from partnerhub.leads.api import public_router as locator_public_router
from partnerhub.leads.api import router as leads_router
from partnerhub.library.api import router as library_router
from partnerhub.marketplace.api import public_router as marketplace_public_router
from partnerhub.marketplace.api import router as marketplace_router
from partnerhub.onboarding.api import public_router as onboarding_public_router
from partnerhub.onboarding.api import router as onboarding_router
from partnerhub.partners.api import router as tiers_router
from partnerhub.programmes.api import router as programmes_router
from partnerhub.referrals.api import router as referrals_router
from partnerhub.rewards.api import router as sales_router
from partnerhub.support.api import router as support_router
from partnerhub.webhooks.api import router as webhooks_router

api = ProblemAPI(
    title="Partnerhub API",
    version="1",
    description=(
        "Partner programmes, deals, rewards and marketplace. Authenticate with a personal token "
        "(`Authorization: Bearer ph_…`, created under API tokens) or a browser session. "
        "Every error is an RFC 9457 problem document (`application/problem+json`)."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

api.add_router("", identity_router)
api.add_router("", invitations_public_router)
api.add_router("", audit_router)
api.add_router("", notifications_router)
api.add_router("", programmes_router)
api.add_router("", tiers_router)
api.add_router("", enablement_router)
api.add_router("/enablement", training_router)
api.add_router("/enablement", events_router)
api.add_router("", sales_router)
api.add_router("", deals_router)
api.add_router("", onboarding_router)
api.add_router("", onboarding_public_router)
api.add_router("", referrals_router)
api.add_router("", leads_router)
api.add_router("", incentives_router)
api.add_router("", locator_public_router)
api.add_router("", marketplace_router)
api.add_router("", marketplace_public_router)
api.add_router("/webhooks", webhooks_router)
api.add_router("/funds", funds_router)
api.add_router("/library", library_router)
api.add_router("/support", support_router)
api.add_router("/benefits", benefits_router)

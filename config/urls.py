from django.urls import include, path

from partnerhub.core import views as core_views

from .api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("partnerhub.identity.urls")),
    path("", include("partnerhub.programmes.urls")),
    path("", include("partnerhub.onboarding.urls")),
    path("", include("partnerhub.partners.urls")),
    path("", include("partnerhub.enablement.urls")),
    path("", include("partnerhub.rewards.urls")),
    path("", include("partnerhub.deals.urls")),
    path("", include("partnerhub.webhooks.urls")),
    path("", include("partnerhub.referrals.urls")),
    path("", include("partnerhub.leads.urls")),
    path("", include("partnerhub.marketplace.urls")),
    path("", include("partnerhub.incentives.urls")),
    path("", include("partnerhub.funds.urls")),
    path("", include("partnerhub.library.urls")),
    path("", include("partnerhub.support.urls")),
    path("", include("partnerhub.benefits.urls")),
    path("", include("partnerhub.portal.urls")),
    path("", include("partnerhub.core.urls")),
]

handler404 = "partnerhub.core.views.not_found"
handler403 = "partnerhub.core.views.forbidden"
handler500 = "partnerhub.core.views.server_error"

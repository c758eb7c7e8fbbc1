from django.urls import path

from . import views

urlpatterns = [
    path("funds/", views.funds_home, name="funds-home"),
    path("funds/console/", views.console, name="funds-console"),
    path("funds/console/grant/", views.grant, name="funds-grant"),
    path("funds/console/allowance/", views.allowance, name="funds-allowance"),
    path("funds/console/grant-from-tiers/", views.grant_tiers, name="funds-grant-tiers"),
    path("funds/budgets/<int:budget_id>/request/", views.request_new, name="funds-request-new"),
    path("funds/requests/<int:request_id>/", views.request_detail, name="funds-request-detail"),
    path("funds/requests/<int:request_id>/decide/", views.request_decide, name="funds-request-decide"),
    path("funds/requests/<int:request_id>/claim/", views.claim_new, name="funds-claim-new"),
    path("funds/claims/<int:claim_id>/decide/", views.claim_decide, name="funds-claim-decide"),
    path("funds/files/<int:file_id>/", views.proof_file, name="funds-proof-file"),
]

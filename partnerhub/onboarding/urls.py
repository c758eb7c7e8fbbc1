from django.urls import path

from . import views

urlpatterns = [
    # Public: applying and the partner catalogue
    path("become-a-partner/", views.become_partner_index, name="become-partner"),
    path("become-a-partner/<slug:code>/", views.become_partner, name="become-partner-apply"),
    path("become-a-partner/<slug:code>/sent/", views.become_partner_sent, name="become-partner-sent"),
    path("partners/", views.catalogue, name="catalogue"),
    path("partners/<int:org_id>/", views.catalogue_partner, name="catalogue-partner"),
    # Vendor: the review queue
    path("onboarding/applications/", views.application_list, name="onboarding-application-list"),
    path(
        "onboarding/applications/<int:application_id>/", views.application_detail, name="onboarding-application-detail"
    ),
    path(
        "onboarding/applications/<int:application_id>/approve/",
        views.application_approve,
        name="onboarding-application-approve",
    ),
    path(
        "onboarding/applications/<int:application_id>/reject/",
        views.application_reject,
        name="onboarding-application-reject",
    ),
    path(
        "onboarding/applications/<int:application_id>/contract/",
        views.application_contract,
        name="onboarding-application-contract",
    ),
    # Partner: the checklist
    path("onboarding/", views.checklist, name="onboarding"),
    path("onboarding/profile/", views.profile, name="onboarding-profile"),
    path("onboarding/contract/", views.contract, name="onboarding-contract"),
    path("onboarding/contract/accept/", views.contract_accept, name="onboarding-contract-accept"),
    path("onboarding/contract/upload/", views.contract_upload, name="onboarding-contract-upload"),
]

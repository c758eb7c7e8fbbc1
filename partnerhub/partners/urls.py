from django.urls import path

from . import views

urlpatterns = [
    path("tier/", views.partner_tier, name="partner-tier"),
    path("tier/<int:enrolment_id>/what-if/", views.tier_what_if, name="tier-what-if"),
    path("tiers/", views.tier_overview, name="tier-overview"),
    path("enrolments/", views.enrolment_list, name="enrolment-list"),
    path("enrolments/<int:enrolment_id>/", views.enrolment_detail, name="enrolment-detail"),
    path("enrolments/<int:enrolment_id>/override/", views.enrolment_override, name="enrolment-override"),
    path("enrolments/<int:enrolment_id>/override/end/", views.enrolment_override_end, name="enrolment-override-end"),
    path("enrolments/<int:enrolment_id>/network/", views.enrolment_network, name="enrolment-network"),
    path("enrolments/<int:enrolment_id>/network/pick/", views.enrolment_network_pick, name="enrolment-network-pick"),
    path("enrolments/<int:enrolment_id>/evaluate/", views.enrolment_evaluate, name="enrolment-evaluate"),
    path("obligations/", views.obligation_list, name="obligation-list"),
    path("obligations/<int:record_id>/review/", views.obligation_review, name="obligation-review"),
]

from django.urls import path

from . import views

urlpatterns = [
    # Vendor
    path("leads/", views.lead_list, name="lead-list"),
    path("leads/new/", views.lead_create, name="lead-create"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead-detail"),
    path("leads/<int:lead_id>/route/", views.lead_route, name="lead-route"),
    path("leads/<int:lead_id>/close/", views.lead_close, name="lead-close"),
    # Partner
    path("lead-inbox/", views.inbox, name="lead-inbox"),
    path("lead-inbox/<int:offer_id>/", views.offer_detail, name="lead-offer-detail"),
    path("lead-inbox/<int:offer_id>/accept/", views.offer_accept, name="lead-offer-accept"),
    path("lead-inbox/<int:offer_id>/decline/", views.offer_decline, name="lead-offer-decline"),
    # Public: the partner locator (the catalogue) — contact a listed partner
    path("partners/<int:org_id>/contact/", views.contact, name="locator-contact"),
]

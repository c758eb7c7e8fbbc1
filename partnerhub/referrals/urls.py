from django.urls import path

from . import views

urlpatterns = [
    path("r/<str:code>", views.follow, name="referral-click"),
    path("signup/", views.signup, name="customer-signup"),
    path("referrals/", views.referral_home, name="referral-home"),
    path("referrals/traffic/", views.traffic, name="referral-traffic"),
    path("referrals/purchases/new/", views.purchase_new, name="referral-purchase"),
    path("organisations/<int:org_id>/referrals/", views.link_list, name="referral-links"),
    path("referral-links/<int:link_id>/", views.link_detail, name="referral-link-detail"),
    path("referral-links/<int:link_id>/toggle/", views.link_toggle, name="referral-link-toggle"),
]

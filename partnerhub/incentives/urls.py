from django.urls import path

from . import views

urlpatterns = [
    path("incentives/", views.incentive_list, name="incentive-list"),
    path("incentives/new/", views.incentive_create, name="incentive-create"),
    path("incentives/rebates/", views.rebates, name="incentive-rebates"),
    path("incentives/<int:incentive_id>/", views.incentive_detail, name="incentive-detail"),
    path("incentives/<int:incentive_id>/edit/", views.incentive_edit, name="incentive-edit"),
    path("incentives/<int:incentive_id>/award/", views.incentive_award, name="incentive-award"),
]

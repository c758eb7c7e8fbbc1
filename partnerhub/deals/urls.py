from django.urls import path

from . import views

urlpatterns = [
    path("deals/", views.board, name="deal-board"),
    path("deals/new/", views.register, name="deal-register"),
    path("deals/direct/new/", views.register_direct, name="deal-direct"),
    path("deals/review/", views.review, name="deal-review"),
    path("deals/overview/", views.overview, name="deal-overview"),
    path("deals/<int:deal_id>/", views.detail, name="deal-detail"),
]

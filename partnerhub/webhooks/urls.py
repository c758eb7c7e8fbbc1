from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/", views.endpoint_list, name="webhook-list"),
    path("webhooks/new/", views.endpoint_create, name="webhook-create"),
    path("webhooks/<int:endpoint_id>/", views.endpoint_detail, name="webhook-detail"),
    path("webhooks/<int:endpoint_id>/edit/", views.endpoint_edit, name="webhook-edit"),
    path("webhooks/<int:endpoint_id>/delete/", views.endpoint_delete, name="webhook-delete"),
    path("webhooks/<int:endpoint_id>/rotate-secret/", views.endpoint_rotate, name="webhook-rotate"),
    path("webhooks/<int:endpoint_id>/test/", views.endpoint_test, name="webhook-test"),
    path("webhooks/deliveries/<int:delivery_id>/", views.delivery_detail, name="webhook-delivery"),
    path("webhooks/deliveries/<int:delivery_id>/redeliver/", views.delivery_redeliver, name="webhook-redeliver"),
]

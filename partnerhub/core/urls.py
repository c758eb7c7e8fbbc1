from django.urls import path

from . import views

urlpatterns = [
    path("audit/", views.audit_list, name="audit-list"),
    path("audit/<int:entry_id>/", views.audit_detail, name="audit-detail"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification-open"),
]

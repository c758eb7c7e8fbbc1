from django.urls import path

from . import views

urlpatterns = [
    path("support/", views.support_home, name="support-home"),
    path("support/new/", views.support_new, name="support-new"),
    path("support/console/", views.console, name="support-console"),
    path("support/console/targets/", views.target, name="support-target"),
    path("support/<int:request_id>/", views.detail, name="support-detail"),
    path("support/<int:request_id>/reply/", views.reply, name="support-reply"),
    path("support/<int:request_id>/assign/", views.assign, name="support-assign"),
    path("support/<int:request_id>/status/", views.move, name="support-status"),
    path("support/<int:request_id>/close/", views.close, name="support-close"),
    path("support/<int:request_id>/reopen/", views.reopen, name="support-reopen"),
    path("support/files/<int:file_id>/", views.attachment, name="support-file"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("benefits/", views.benefits_home, name="benefits-home"),
    path("benefits/console/", views.console, name="benefits-console"),
    path("benefits/requests/<int:request_id>/", views.detail, name="benefits-detail"),
    path("benefits/requests/<int:request_id>/decide/", views.decide, name="benefits-decide"),
    path("benefits/requests/<int:request_id>/fulfil/", views.fulfil, name="benefits-fulfil"),
]

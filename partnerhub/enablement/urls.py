from django.urls import path

from . import views

urlpatterns = [
    path("specialists/", views.my_specialists, name="my-specialists"),
    path("organisations/<int:org_id>/specialists/", views.specialist_list, name="specialist-list"),
    path("specialists/<int:specialist_id>/", views.specialist_detail, name="specialist-detail"),
    path("specialists/<int:specialist_id>/toggle/", views.specialist_toggle, name="specialist-toggle"),
    path("certifications/<int:certification_id>/remove/", views.certification_remove, name="certification-remove"),
]

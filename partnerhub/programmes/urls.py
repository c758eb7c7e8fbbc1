from django.urls import path

from . import views

urlpatterns = [
    path("programmes/", views.programme_list, name="programme-list"),
    path("programmes/import/", views.programme_import, name="programme-import"),
    path("programmes/<slug:code>/", views.programme_detail, name="programme-detail"),
    path("programmes/<slug:code>/draft/", views.programme_draft, name="programme-draft"),
    path("programmes/<slug:code>/v<int:number>/", views.programme_version, name="programme-version"),
    path("programmes/<slug:code>/v<int:number>/yaml", views.programme_export, name="programme-export"),
    path("programmes/<slug:code>/v<int:number>/edit/", views.programme_edit, name="programme-edit"),
    path(
        "programmes/<slug:code>/v<int:number>/edit/<slug:tier>/requirements/<slug:item>/",
        views.requirement_edit,
        name="programme-requirement-edit",
    ),
    path(
        "programmes/<slug:code>/v<int:number>/edit/<slug:tier>/benefits/<slug:item>/",
        views.benefit_edit,
        name="programme-benefit-edit",
    ),
]

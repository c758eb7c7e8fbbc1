from django.urls import path

from . import views

urlpatterns = [
    path("library/", views.library, name="library"),
    path("library/logo/", views.logo, name="library-logo"),
    path("library/materials/<int:material_id>/", views.material_page, name="library-material"),
    path("library/materials/<int:material_id>/download/", views.download, name="library-download"),
    path("library/materials/<int:material_id>/cobrand/", views.cobrand, name="library-cobrand"),
    path("library/contributions/<int:contribution_id>/", views.contribution_page, name="library-contribution"),
    path(
        "library/contributions/<int:contribution_id>/file/", views.contribution_file, name="library-contribution-file"
    ),
    path("library/console/", views.console, name="library-console"),
    path("library/console/materials/<int:material_id>/", views.console_material, name="library-console-material"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("sales/", views.sale_list, name="sale-list"),
    path("sales/import/", views.sale_import, name="sale-import"),
]

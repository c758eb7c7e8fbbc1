from django.urls import path

from . import views

urlpatterns = [
    path("sales/", views.sale_list, name="sale-list"),
    path("sales/import/", views.sale_import, name="sale-import"),
    path("products/", views.product_list, name="product-list"),
    path("products/price-list/<int:org_id>.xlsx", views.price_list_download, name="price-list-download"),
    path("rates/", views.rate_list, name="rate-list"),
]

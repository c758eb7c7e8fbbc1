from django.urls import path

from . import views, views_backtest, views_earnings

urlpatterns = [
    path("sales/", views.sale_list, name="sale-list"),
    path("sales/import/", views.sale_import, name="sale-import"),
    path("products/", views.product_list, name="product-list"),
    path("products/price-list/<int:org_id>.xlsx", views.price_list_download, name="price-list-download"),
    path("rates/", views.rate_list, name="rate-list"),
    path("earnings/", views_earnings.earnings_home, name="earnings-home"),
    path("earnings/<int:org_id>/", views_earnings.earnings, name="earnings"),
    path("earnings/<int:org_id>/statements/<str:period>/", views_earnings.statement, name="statement"),
    path("earnings/<int:org_id>/statements/<str:period>.csv", views_earnings.statement_csv, name="statement-csv"),
    path("rewards/finance/", views_earnings.finance, name="rewards-finance"),
    path("rewards/finance/rate/", views_earnings.rate_now, name="rewards-rate-now"),
    path("rewards/backtest/", views_backtest.backtest_page, name="rewards-backtest"),
]

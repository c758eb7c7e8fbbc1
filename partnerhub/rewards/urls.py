from django.urls import path

from . import views, views_backtest, views_earnings, views_sales, views_settlement

urlpatterns = [
    path("sales/", views.sale_list, name="sale-list"),
    path("sales/import/", views.sale_import, name="sale-import"),
    path("sales/<int:sale_id>/", views_sales.sale_detail, name="sale-detail"),
    path("sales/payments/import/", views_sales.payment_import, name="sale-payment-import"),
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
    path("earnings/<int:org_id>/statements/<str:period>.pdf", views_settlement.statement_pdf, name="statement-pdf"),
    path("rewards/finance/periods/", views_settlement.period_list, name="rewards-periods"),
    path("rewards/finance/periods/<str:period>/", views_settlement.period_preview, name="rewards-period-preview"),
    path("rewards/finance/periods/<str:period>/close/", views_settlement.period_close, name="rewards-period-close"),
    path("rewards/finance/payouts/", views_settlement.payout_runs, name="rewards-payout-runs"),
    path("rewards/finance/payouts/<int:run_id>/", views_settlement.payout_run, name="rewards-payout-run"),
    path(
        "rewards/finance/payouts/<int:run_id>/approve/",
        views_settlement.payout_run_approve,
        name="rewards-payout-run-approve",
    ),
    path(
        "rewards/finance/payouts/<int:run_id>/cancel/",
        views_settlement.payout_run_cancel,
        name="rewards-payout-run-cancel",
    ),
    path("rewards/finance/payouts/<int:run_id>/pay/", views_settlement.payout_run_pay, name="rewards-payout-run-pay"),
    path("rewards/finance/payouts/<int:run_id>.csv", views_settlement.payout_run_csv, name="rewards-payout-run-csv"),
    path("rewards/finance/payouts/<int:run_id>-1c.txt", views_settlement.payout_run_1c, name="rewards-payout-run-1c"),
]

from django.urls import path

from .views import admission, listings, moderation, storefronts

urlpatterns = [
    path("marketplace/", admission.home, name="marketplace-home"),
    path("marketplace/apply/", admission.apply, name="marketplace-apply"),
    path("marketplace/applications/", admission.application_list, name="marketplace-applications"),
    path("marketplace/applications/<int:application_id>/", admission.application_detail,
         name="marketplace-application"),
    path("marketplace/scorecard/", admission.criteria, name="marketplace-criteria"),
    path("marketplace/listings/", listings.listing_list, name="marketplace-listings"),
    path("marketplace/listings/new/", listings.listing_new, name="marketplace-listing-new"),
    path("marketplace/listings/<int:listing_id>/", listings.listing_detail, name="marketplace-listing"),
    path("marketplace/listings/<int:listing_id>/service/", listings.step_service, name="marketplace-listing-service"),
    path("marketplace/listings/<int:listing_id>/pricing/", listings.step_pricing, name="marketplace-listing-pricing"),
    path("marketplace/listings/<int:listing_id>/provisioning/", listings.step_provisioning,
         name="marketplace-listing-provisioning"),
    path("marketplace/listings/<int:listing_id>/storefronts/", listings.step_storefronts,
         name="marketplace-listing-storefronts"),
    path("marketplace/screenshots/<int:screenshot_id>/remove/", listings.screenshot_remove,
         name="marketplace-screenshot-remove"),
    path("marketplace/screenshots/<int:screenshot_id>/<str:kind>/", listings.screenshot_file,
         name="marketplace-screenshot"),
    path("marketplace/moderation/", moderation.queue, name="marketplace-moderation"),
    path("marketplace/moderation/<int:version_id>/", moderation.review, name="marketplace-review"),
    path("marketplace/storefronts/", storefronts.manage, name="marketplace-storefronts"),
    path("store/", storefronts.store_list, name="store-list"),
    path("store/<slug:code>/", storefronts.store, name="store"),
    path("store/<slug:code>/listings/<int:listing_id>/", storefronts.store_listing, name="store-listing"),
    path("store/<slug:code>/vendors/<int:org_id>/", storefronts.store_vendor, name="store-vendor"),
]  # fmt: skip

"""Storefronts: their management (vendor administrators) and each one's public catalogue, listings and vendors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from partnerhub.core.forms import add_service_errors
from partnerhub.core.pagination import Paginator
from partnerhub.identity.roles import Perm

from .. import selectors, services
from ..forms import CatalogueFilterForm, StorefrontForm
from ..services.access import require_vendor_perm

PAGE_SIZE = 24


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    require_vendor_perm(actor=request.user, perm=Perm.STOREFRONTS_MANAGE)
    code = request.GET.get("edit", "")
    current = selectors.storefronts(include_closed=True).filter(code=code).first() if code else None
    initial = {f: getattr(current, f) for f in StorefrontForm.base_fields} if current else None
    form = StorefrontForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.storefront_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Storefront saved."))
            return redirect("marketplace-storefronts")
    return render(request, "marketplace/storefronts.html",
                  {"form": form, "storefronts": selectors.storefronts(include_closed=True)})  # fmt: skip


def store_list(request: HttpRequest) -> HttpResponse:
    return render(request, "marketplace/store_list.html", {"storefronts": selectors.storefronts()})


def store(request: HttpRequest, code: str) -> HttpResponse:
    sf = selectors.storefront(code=code)
    vendors = selectors.catalogue_vendors(storefront=sf)
    form = CatalogueFilterForm(request.GET or None, vendors=vendors)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    page = Paginator(selectors.catalogue(storefront=sf, **filters), PAGE_SIZE, lookahead=None).get_page(
        request.GET.get("page")
    )  # the store prints how many services match: counted whole
    query = urlencode(filters)
    return render(request, "marketplace/store.html", {"sf": sf, "form": form, "page": page, "query": query})


def store_listing(request: HttpRequest, code: str, listing_id: int) -> HttpResponse:
    sf = selectors.storefront(code=code)
    v = selectors.public_listing(storefront=sf, pk=listing_id)
    return render(request, "marketplace/store_listing.html", {"sf": sf, "v": v, "text": v.texts.all()[0],
                                                              "plans": selectors.priced_plans(v, sf)})  # fmt: skip


def store_vendor(request: HttpRequest, code: str, org_id: int) -> HttpResponse:
    sf = selectors.storefront(code=code)
    vendor = selectors.public_vendor(storefront=sf, pk=org_id)
    page = Paginator(selectors.catalogue(storefront=sf, vendor=vendor.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "marketplace/store_vendor.html", {"sf": sf, "vendor": vendor, "page": page})

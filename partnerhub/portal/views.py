"""The front door: the public front page for visitors and each role's dashboard once signed in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from partnerhub.identity.selectors import home_organisation
from partnerhub.onboarding import selectors as onboarding

from .dashboards import dashboard_for


def index(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return front_page(request)
    organisation = home_organisation(actor=request.user, preferred_id=request.session.get("organisation_id"))
    role, context = dashboard_for(request.user, organisation)
    return render(request, "portal/home.html", {"role": role, **context})


def front_page(request: HttpRequest) -> HttpResponse:
    """The vendor's programmes and how to join, the partner locator and sign-in."""
    facets = onboarding.catalogue_facets()
    return render(request, "portal/front.html", {"programmes": onboarding.open_programmes(), "facets": facets})

"""Every URL the product stores is http(s): a javascript: or data: address never reaches a page as a link.

The list of URL fields is taken from the models (every ``URLField``, and every field whose name
says it holds an address), so a new one fails here until it is guarded and probed.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from partnerhub.core.models import Notification
from partnerhub.core.notify import notify
from partnerhub.core.validators import (
    SiteLinkValidator,
    WebURLValidator,
    clean_web_url,
    validate_site_link,
    validate_web_url,
)
from partnerhub.identity.models import Organisation
from partnerhub.partners.models import Application, ObligationRecord
from partnerhub.programmes.models import Requirement
from partnerhub.referrals.models import ReferralLink
from partnerhub.webhooks.models import WebhookEndpoint

from .programme_builders import security_programme
from .test_onboarding import application_payload

pytestmark = pytest.mark.django_db

HOSTILE = [
    "javascript:alert(document.domain)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://files.example.com/x",
    "file:///etc/passwd",
]

# Fields that hold a domain or an e-mail address as a matching key, never shown as a link.
NOT_LINKS = {
    "deals.Claim.customer_domain": "matching key (e-mail, domain or site), shown as text only",
    "leads.Lead.domain": "matching key (domain or site), shown as text only",
    "deals.Claim.domain_key": "the normalised registrable domain, computed",
    "marketplace.ConformanceRun.url": "copied from the listing's provisioning address, which is probed",
    "marketplace.ProvisioningRequest.operation_url": (
        "the vendor API's status URL of a 202 answer, never typed by a person; polled only on the listing's "
        "own API origin (provisioning.client.get_operation refuses any other)"
    ),
}


def _field_key(model, field) -> str:
    return f"{model._meta.app_label}.{model.__name__}.{field.name}"


def _looks_like_a_url(field) -> bool:
    name = field.name.lower()
    return isinstance(field, models.URLField) or (
        isinstance(field, models.CharField) and any(w in name for w in ("url", "website", "link", "target", "domain"))
    )


def _url_fields() -> set[str]:
    return {
        _field_key(m, f)
        for m in apps.get_models()
        if m.__module__.startswith("partnerhub.")
        for f in m._meta.get_fields()
        if getattr(f, "concrete", False) and _looks_like_a_url(f)
    }


# ------------------------------------------------------------------ one probe per URL field, through its writer


def _errors(r) -> dict[str, str]:
    assert r.status_code == 422, (r.status_code, r.content)
    return {e["field"]: e["code"] for e in r.json()["errors"]}


def probe_organisation_website(world, api, bad):
    r = api(world.vendor_admin).patch(f"/organisations/{world.partner_a.pk}", {"website": bad})
    assert "website" in _errors(r)
    r = api(world.vendor_admin).post("/organisations", {"kind": "partner", "name": "Evil", "website": bad})
    assert "website" in _errors(r)
    assert not Organisation.objects.filter(website__icontains=bad.strip()[:6]).exists()


def probe_obligation_evidence_url(world, api, bad):
    payload = {"obligation": Requirement.Obligation.values[0], "valid_from": "2026-01-01", "evidence_url": bad}
    for user in (world.a_admin, world.bdm_a):  # the partner's member and its manager
        r = api(user).post(f"/organisations/{world.partner_a.pk}/obligations", payload)
        assert _errors(r).get("evidence_url") == "invalid"
    assert not ObligationRecord.objects.exists()


def probe_application_website(world, api, bad):
    security_programme(code="sec")
    r = api(None).post("/public/programmes/sec/applications", application_payload(website=bad))
    assert _errors(r).get("website") == "invalid"
    assert not Application.objects.exists()


def probe_webhook_url(world, api, bad):
    r = api(world.a_admin).post("/webhooks/endpoints", {"url": bad, "event_types": ["*"]})
    assert "url" in _errors(r)
    assert not WebhookEndpoint.objects.exists()


def probe_referral_target(world, api, bad):
    r = api(world.a_admin).post(f"/organisations/{world.partner_a.pk}/referral-links", {"target": bad})
    assert "target" in _errors(r)
    assert not ReferralLink.objects.exists()


def probe_notification_url(world, api, bad):
    with pytest.raises(ValidationError):
        notify(users=[world.a_admin], kind="test", title="x", url=bad)
    assert not Notification.objects.exists()


def probe_lesson_video_url(world, api, bad):
    from partnerhub.enablement.models import Lesson

    from .enablement_builders import course

    c = course(lessons=0)
    r = api(world.vendor_admin).post(f"/enablement/courses/{c.pk}/lessons", {"title": "V", "kind": "video",
                                                                            "video_url": bad})  # fmt: skip
    assert "video_url" in _errors(r)
    assert not Lesson.objects.exists()


def probe_event_join_url(world, api, bad):
    from partnerhub.enablement.models import Event

    body = {"title": "W", "starts_at": "2030-01-01T10:00:00", "ends_at": "2030-01-01T11:00:00", "join_url": bad}
    r = api(world.vendor_admin).post("/enablement/events", body)
    assert "join_url" in _errors(r)
    assert not Event.objects.exists()


def probe_event_recording_url(world, api, bad):
    from .enablement_builders import event

    e = event()
    r = api(world.vendor_admin).patch(f"/enablement/events/{e.pk}", {"recording_url": bad})
    assert "recording_url" in _errors(r)
    e.refresh_from_db()
    assert e.recording_url == ""


def probe_listing_provisioning_url(world, api, bad):
    from .marketplace_builders import draft_listing

    listing = draft_listing(world.b_admin, world.partner_b, complete=False)
    r = api(world.b_admin).put(f"/marketplace/listings/{listing.pk}/provisioning", {"mode": "api", "url": bad})
    assert _errors(r).get("url") == "invalid"
    listing.working_version.refresh_from_db()
    assert listing.working_version.provisioning_url == ""


PROBES = {
    "enablement.Lesson.video_url": probe_lesson_video_url,
    "enablement.Event.join_url": probe_event_join_url,
    "enablement.Event.recording_url": probe_event_recording_url,
    "marketplace.ListingVersion.provisioning_url": probe_listing_provisioning_url,
    "identity.Organisation.website": probe_organisation_website,
    "partners.ObligationRecord.evidence_url": probe_obligation_evidence_url,
    "partners.Application.website": probe_application_website,
    "webhooks.WebhookEndpoint.url": probe_webhook_url,
    "referrals.ReferralLink.target": probe_referral_target,
    "core.Notification.url": probe_notification_url,
}


def test_every_url_field_is_probed_or_explained():
    assert _url_fields() == set(PROBES) | set(NOT_LINKS)


@pytest.mark.parametrize("key", sorted(PROBES))
def test_every_url_field_carries_the_core_validator(key):
    app_label, model_name, field_name = key.split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    assert any(isinstance(v, WebURLValidator | SiteLinkValidator) for v in field.validators), key


@pytest.mark.parametrize("key", sorted(PROBES))
@pytest.mark.parametrize("bad", ["javascript:alert(document.domain)", "data:text/html,<script>alert(1)</script>"])
def test_every_url_field_refuses_script_addresses_through_its_writer(world, api, key, bad):
    PROBES[key](world, api, bad)


# ------------------------------------------------------------------------------------ the validators


@pytest.mark.parametrize("bad", HOSTILE)
def test_web_url_validator_refuses_every_other_scheme(bad):
    with pytest.raises(ValidationError) as exc:
        clean_web_url(bad, field="website")
    assert exc.value.error_dict["website"][0].code == "invalid"
    with pytest.raises(ValidationError):
        validate_site_link(bad)


@pytest.mark.parametrize("good", ["https://example.com", "http://example.com/a?b=c#d", "https://пример.рф/путь"])
def test_web_urls_are_accepted(good):
    assert clean_web_url(f"  {good} ", field="website") == good
    validate_web_url(good)
    validate_site_link(good)


@pytest.mark.parametrize("path", ["/deals/7/", "/r/abc?x=1"])
def test_site_paths_are_links_but_not_web_urls(path):
    validate_site_link(path)
    with pytest.raises(ValidationError):
        validate_web_url(path)


@pytest.mark.parametrize("bad", ["//evil.example/x", "/\\evil.example", "/a b"])
def test_protocol_relative_and_odd_paths_are_refused(bad):
    with pytest.raises(ValidationError):
        validate_site_link(bad)


def test_empty_is_allowed_unless_required():
    assert clean_web_url("  ", field="website") == ""
    with pytest.raises(ValidationError) as exc:
        clean_web_url("", field="website", required=True)
    assert exc.value.error_dict["website"][0].code == "required"


def test_obligations_page_shows_an_accepted_link(world, api, ui):
    payload = {"obligation": Requirement.Obligation.values[0], "valid_from": "2026-01-01",
               "evidence_url": "https://evidence.example/report.pdf"}  # fmt: skip
    assert api(world.a_admin).post(f"/organisations/{world.partner_a.pk}/obligations", payload).status_code == 201
    page = ui(world.bdm_a).get("/obligations/").content.decode()
    assert 'href="https://evidence.example/report.pdf"' in page

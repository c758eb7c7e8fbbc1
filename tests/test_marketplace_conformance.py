"""Step 3's gate: a listing in vendor-API mode is submitted only once the conformance check passed against its
address and token; the report shows every check with its calls; the token is kept encrypted."""

import pytest
from django.db import connection

from partnerhub.marketplace import services
from partnerhub.marketplace.models import ConformanceRun, ListingVersion
from partnerhub.marketplace.provisioning.sample_service import SampleService

from .marketplace_builders import draft_listing

pytestmark = pytest.mark.django_db

TOKEN = "vendor-secret-token"


@pytest.fixture(autouse=True)
def loopback(settings):
    settings.PROVISIONING_ALLOW_PRIVATE_NETWORKS = True  # the sample service listens on 127.0.0.1
    settings.PROVISIONING_TIMEOUT_SECONDS = 2
    settings.PROVISIONING_ATTEMPTS = 2
    settings.PROVISIONING_BACKOFF_SECONDS = 0


def _api_listing(world, url: str, token: str = TOKEN):
    listing = draft_listing(world.b_admin, world.partner_b)
    services.set_provisioning(actor=world.b_admin, listing=listing, mode="api", url=url, token=token)
    listing.refresh_from_db()
    return listing


def test_an_api_listing_is_submitted_once_its_check_passes(world, api):
    with SampleService(token=TOKEN) as service:
        listing = _api_listing(world, service.base_url)
        b = api(world.b_admin)
        r = b.post(f"/marketplace/listings/{listing.pk}/submit")
        assert r.status_code == 422 and "conformance check" in str(r.json())
        r = b.post(f"/marketplace/listings/{listing.pk}/conformance")
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["passed"] is True and len(body["checks"]) >= 9
        assert all(c["verdict"] == "passed" and c["calls"] for c in body["checks"] if c["code"] != "error_handling")
        assert b.get(f"/marketplace/listings/{listing.pk}/conformance").json()["passed"] is True
    r = b.post(f"/marketplace/listings/{listing.pk}/submit")
    assert r.status_code == 200, r.content
    assert ListingVersion.objects.get(pk=listing.working_version_id).status == "submitted"


def test_a_failing_api_shows_the_failed_call_and_keeps_the_listing_back(world, client):
    with SampleService(token=TOKEN, failures=["garbage@change_subscription"]) as service:
        listing = _api_listing(world, service.base_url)
        run = services.conformance_check(actor=world.b_admin, listing=listing)
    assert run.passed is False
    failed = [c for c in run.report["checks"] if c["verdict"] == "failed"]
    assert failed and any("PATCH" in call["method"] or call["operation"] == "change_subscription"
                          for c in failed for call in c["calls"])  # fmt: skip
    assert "provisioning" in services.submission_gaps(ListingVersion.objects.get(pk=listing.working_version_id))
    client.force_login(world.b_admin)
    page = client.get(f"/marketplace/listings/{listing.pk}/provisioning/").content.decode()
    assert 'data-testid="conformance-checks"' in page and 'data-verdict="failed"' in page


def test_the_token_is_encrypted_never_returned_and_a_new_one_needs_a_new_check(world, api):
    with SampleService(token=TOKEN) as service:
        listing = _api_listing(world, service.base_url)
        assert services.conformance_check(actor=world.b_admin, listing=listing).passed
        version = ListingVersion.objects.get(pk=listing.working_version_id)
        with connection.cursor() as cur:
            cur.execute("SELECT provisioning_token FROM marketplace_listingversion WHERE id = %s", [version.pk])
            stored = cur.fetchone()[0]
        assert stored and TOKEN not in stored and version.provisioning_token == TOKEN
        detail = api(world.b_admin).get(f"/marketplace/listings/{listing.pk}")
        assert TOKEN not in detail.content.decode()
        services.set_provisioning(actor=world.b_admin, listing=listing, mode="api", url=service.base_url,
                                  token="another-token")  # fmt: skip
        assert "provisioning" in services.submission_gaps(ListingVersion.objects.get(pk=version.pk))
        services.set_provisioning(actor=world.b_admin, listing=listing, mode="api", url=service.base_url)  # keeps it
        assert ListingVersion.objects.get(pk=version.pk).provisioning_token == "another-token"
    assert ConformanceRun.objects.filter(listing=listing).count() == 1


def test_a_check_without_an_address_or_token_is_refused_with_the_field(world, api):
    listing = draft_listing(world.b_admin, world.partner_b)  # manual provisioning
    r = api(world.b_admin).post(f"/marketplace/listings/{listing.pk}/conformance")
    assert r.status_code == 422 and "url" in str(r.json())
    services.set_provisioning(actor=world.b_admin, listing=listing, mode="api", url="https://api.vendor.example")
    r = api(world.b_admin).post(f"/marketplace/listings/{listing.pk}/conformance")
    assert r.status_code == 422 and "token" in str(r.json())
    assert not ConformanceRun.objects.exists()

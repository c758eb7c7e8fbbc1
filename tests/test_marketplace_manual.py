"""Manual provisioning: the vendor's task queue, questions to the customer, the service-level target."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from partnerhub.core.models import Notification
from partnerhub.marketplace.models import ProvisioningRequest, Storefront, Subscription
from partnerhub.marketplace.services import orders, provisioning

from .order_builders import live_listing

R = ProvisioningRequest.Status


def _order(world, listing):
    sf = Storefront.objects.get(code="kz")
    return orders.order_place(actor=world.customer_admin, storefront=sf, listing_id=listing.pk, plan_code="standard",
                              customer=world.customer, quantities={"seats": 2})  # fmt: skip


def test_a_manual_request_is_a_task_the_vendor_takes_asks_about_and_completes(
    world, settings, django_capture_on_commit_callbacks
):
    settings.MARKETPLACE_MANUAL_SLA_HOURS = 8
    listing = live_listing(world)
    with django_capture_on_commit_callbacks(execute=True):
        sub = _order(world, listing)
    req = sub.requests.get()
    assert req.mode == "manual" and req.status == R.PENDING
    assert abs(req.due_at - req.created_at - timedelta(hours=8)) < timedelta(seconds=1)
    assert sub.currency == "KZT" and str(sub.recurring_amount) == "9600.00"  # 6000 + 2 × 1800
    assert Notification.objects.filter(user=world.b_admin, kind="marketplace.manual_request").exists()
    assert any(world.b_admin.email in m.to for m in mail.outbox)
    with pytest.raises(PermissionDenied):  # another vendor
        provisioning.request_take(actor=world.a_admin, request=req)
    provisioning.request_take(actor=world.b_admin, request=req)
    provisioning.request_ask(actor=world.b_admin, request=req, question="Which domain?")
    req.refresh_from_db()
    assert req.status == R.INQUIRING
    with pytest.raises(ValidationError):
        provisioning.request_complete(actor=world.b_admin, request=req, parameters={})
    provisioning.request_answer(actor=world.customer_admin, request=req, answer="c.example")
    provisioning.request_complete(actor=world.b_admin, request=req, parameters={"URL": "https://c.example/crm"},
                                  note="Ready")  # fmt: skip
    req.refresh_from_db()
    sub.refresh_from_db()
    assert req.status == R.APPROVED and req.assigned_to == world.b_admin
    assert sub.status == Subscription.Status.ACTIVE and sub.parameters == {"URL": "https://c.example/crm"}


def test_a_failed_manual_request_leaves_nothing_billed_and_can_be_retried(world):
    listing = live_listing(world)
    sub = _order(world, listing)
    req = sub.requests.get()
    with pytest.raises(ValidationError):
        provisioning.request_fail(actor=world.b_admin, request=req, reason=" ")
    provisioning.request_fail(actor=world.b_admin, request=req, reason="No capacity in KZ")
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.PENDING and not sub.billable
    provisioning.request_retry(actor=world.vendor_admin, request=req)
    req.refresh_from_db()
    assert req.status == R.PENDING and req.assigned_to is None


def test_overdue_manual_requests_escalate_as_they_age(world, settings):
    settings.MARKETPLACE_MANUAL_SLA_HOURS = 4
    listing = live_listing(world)
    req = _order(world, listing).requests.get()
    now = timezone.now()
    assert provisioning.escalate_manual(now=now) == 0
    assert provisioning.escalate_manual(now=now + timedelta(hours=4, minutes=1)) == 1
    assert provisioning.escalate_manual(now=now + timedelta(hours=5)) == 0  # once per level
    req.refresh_from_db()
    assert req.escalation_level == 1
    assert not Notification.objects.filter(user=world.vendor_admin, kind="marketplace.request_overdue").exists()
    assert provisioning.escalate_manual(now=now + timedelta(hours=8, minutes=1)) == 1
    req.refresh_from_db()
    assert req.escalation_level == 2
    assert Notification.objects.filter(user=world.vendor_admin, kind="marketplace.request_overdue").exists()

"""The demo's orders: one provisioned through the sample vendor service, one waiting as a manual task."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from partnerhub.marketplace.models import ProvisioningRequest, Subscription

pytestmark = pytest.mark.django_db


def test_demo_has_a_sample_provisioned_subscription_and_a_manual_partner_order():
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_demo", stdout=open(os.devnull, "w"))  # idempotent  # noqa: SIM115
    active = Subscription.objects.get(customer__memberships__user__email="admin@customer.demo")
    assert active.status == "active" and active.vendor_subscription_id and active.billable
    manual = Subscription.objects.get(partner__name__icontains="Альфа")
    assert manual.status == "pending" and not manual.billable
    req = manual.requests.get()
    assert req.mode == "manual" and req.status == ProvisioningRequest.Status.PENDING
    assert Subscription.objects.count() == 2

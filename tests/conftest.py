from __future__ import annotations

import importlib
import uuid
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from config.settings import caches_from_url
from partnerhub.identity import services
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role

from .factories import MembershipFactory, OrganisationFactory, UserFactory
from .referral_builders import ref  # noqa: F401 - the referral fixture, shared by the referral test modules

pytest_plugins = ["tests.browser"]


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # One test process: the cache in memory (tests that need none get no database from it, and query
    # counts measure the product's SQL). Sharing between processes: tests/test_shared_cache.py.
    settings.CACHES = caches_from_url("locmem://")
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    yield
    cache.clear()


@dataclass
class World:
    """Two partners, a customer and the vendor's staff: the cast of the tenancy tests."""

    vendor: Organisation
    partner_a: Organisation
    partner_b: Organisation
    customer: Organisation
    vendor_admin: User
    bdm_a: User  # manages partner A only
    bdm_b: User  # manages partner B only
    finance: User
    a_admin: User
    a_sales: User
    b_admin: User
    customer_admin: User

    def member(self, org: Organisation, role: str) -> User:
        user = UserFactory()
        MembershipFactory(user=user, organisation=org, role=role)
        return user


@pytest.fixture
def world(db) -> World:
    vendor = OrganisationFactory(kind=OrgKind.VENDOR, name="Vendor")
    partner_a = OrganisationFactory(name="Partner A")
    partner_b = OrganisationFactory(name="Partner B", region="Санкт-Петербург")
    customer = OrganisationFactory(kind=OrgKind.CUSTOMER, name="Customer C")

    def member(org, role, email):
        user = UserFactory(email=email)
        MembershipFactory(user=user, organisation=org, role=role)
        return user

    w = World(
        vendor=vendor, partner_a=partner_a, partner_b=partner_b, customer=customer,
        vendor_admin=member(vendor, Role.VENDOR_ADMIN, "admin@vendor.test"),
        bdm_a=member(vendor, Role.PARTNER_MANAGER, "bdm-a@vendor.test"),
        bdm_b=member(vendor, Role.PARTNER_MANAGER, "bdm-b@vendor.test"),
        finance=member(vendor, Role.FINANCE, "finance@vendor.test"),
        a_admin=member(partner_a, Role.PARTNER_ADMIN, "admin@a.test"),
        a_sales=member(partner_a, Role.SALES, "sales@a.test"),
        b_admin=member(partner_b, Role.PARTNER_ADMIN, "admin@b.test"),
        customer_admin=member(customer, Role.CUSTOMER_ADMIN, "admin@c.test"),
    )  # fmt: skip
    services.organisation_update(actor=w.vendor_admin, organisation=partner_a, partner_manager=w.bdm_a)
    services.organisation_update(actor=w.vendor_admin, organisation=partner_b, partner_manager=w.bdm_b)
    partner_a.refresh_from_db()
    partner_b.refresh_from_db()
    return w


class FormData(dict):
    """A request body sent as multipart form data (endpoints that take file uploads)."""


class ApiClient:
    """A test client that speaks JSON to /api/v1 with a bearer token (multipart for :class:`FormData`)."""

    def __init__(self, user: User | None):
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, raw = services.token_create(actor=user, name=f"tests-{uuid.uuid4().hex[:8]}")
            self.headers["Authorization"] = f"Bearer {raw}"

    def _call(self, method: str, path: str, data=None, raw_body: str | None = None, **extra):
        if isinstance(data, FormData):
            return getattr(self.client, method)(f"/api/v1{path}", dict(data), headers={**self.headers, **extra})
        body = raw_body if raw_body is not None else (None if data is None else __import__("json").dumps(data))
        kwargs = {"content_type": "application/json"} if body is not None else {}
        fn = getattr(self.client, method)
        if body is not None:
            return fn(f"/api/v1{path}", body, headers={**self.headers, **extra}, **kwargs)
        return fn(f"/api/v1{path}", headers={**self.headers, **extra})

    def get(self, path, **kw):
        return self._call("get", path, **kw)

    def post(self, path, data=None, **kw):
        return self._call("post", path, data if data is not None else {}, **kw)

    def patch(self, path, data=None, **kw):
        return self._call("patch", path, data if data is not None else {}, **kw)

    def put(self, path, data=None, **kw):
        return self._call("put", path, data if data is not None else {}, **kw)

    def delete(self, path, **kw):
        return self._call("delete", path, **kw)


@pytest.fixture
def api():
    return ApiClient


@pytest.fixture
def ui():
    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def empty_the_ledger_for_the_flush() -> None:
    """SQLite empties a transactional test's database with DELETE, which the append-only ledger's
    triggers refuse (PostgreSQL truncates, which fires no row trigger). Remove the ledger rows with
    the triggers lifted for that moment only, then put the triggers back."""
    if connection.vendor != "sqlite":
        return
    migration = importlib.import_module("partnerhub.rewards.migrations.0006_ledger_append_only")
    with connection.cursor() as cursor:
        for sql in migration.SQLITE_DOWN:
            cursor.execute(sql)
        cursor.execute("DELETE FROM rewards_payoutitem")  # rows referring to entries go first
        cursor.execute("DELETE FROM rewards_rating")
        cursor.execute("DELETE FROM rewards_ledgerline")
        _release_references_to_entries(cursor)
        cursor.execute("DELETE FROM rewards_journalentry")
        for sql in migration.SQLITE_UP:
            cursor.execute(sql)


@pytest.fixture(autouse=True)
def _ledger_rows_do_not_block_the_flush(request):
    """Every transactional test (browser tests, races) may post to the ledger through won deals and
    sales: empty it before pytest-django flushes the database."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up first, so torn down (flushed) after this
    yield
    empty_the_ledger_for_the_flush()


def _release_references_to_entries(cursor) -> None:
    """Other apps' rows pointing at ledger entries (a funds claim, an incentive award or rebate): nulled where
    the reference may be empty, deleted otherwise, so the entries can go."""
    from django.apps import apps

    from partnerhub.rewards.models import JournalEntry

    for model in apps.get_models():
        if model._meta.app_label == "rewards":
            continue
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is JournalEntry:
                table, column = model._meta.db_table, f.column
                if f.null:
                    cursor.execute(f"UPDATE {table} SET {column} = NULL")  # noqa: S608 (model metadata)
                else:
                    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (model metadata)

"""List pages under load: every list filters, orders and paginates in SQL (issue: speed at scale).

Builds 10,000 partners (listed in the public catalogue, enrolled in the shipped 002 programme,
spread over regions, cities and competences) and 100,000 deals on PostgreSQL, starts gunicorn
with 2 workers on a loopback port against that database, then measures requests per second of
`/healthz` (the baseline: a request that touches the database once) and of each list page and
API list, signed in as the vendor's administrator, as a partner's administrator or anonymous.
Goal: each list serves at least 0.25x the requests per second of `/healthz` in the same run.

    make bench
    python -m benchmarks lists
    BENCH_SCALE=0.1 python -m benchmarks lists     # 1,000 partners and 10,000 deals
"""

from __future__ import annotations

import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

from .db import scratch_database, setup_django
from .report import SCALE, Figure, scaled, summary

PARTNERS = scaled(10_000, 100)
DEALS = scaled(100_000, 1_000)
SECONDS = float(os.environ.get("BENCH_LIST_SECONDS", "3" if SCALE == 1 else "1.5"))  # quick: bench-quick under 3 min
CLIENTS = 4  # concurrent connections; gunicorn has 2 sync workers on this 2-core machine
ROOT = Path(__file__).resolve().parent.parent

REGIONS = [
    "Москва",
    "Санкт-Петербург",
    "Татарстан",
    "Свердловская область",
    "Новосибирская область",
    "Краснодарский край",
    "Нижегородская область",
    "Самарская область",
]
COMPETENCES = ["SIEM", "DLP", "NGFW", "Cloud migration", "Backup", "PAM", "SOC", "Endpoint"]

FLOOR_PATH = "/api/v1/me"  # the lightest signed-in request: who am I, in which organisations
HTML_FLOOR_PATH = "/notifications/"  # the lightest signed-in page: the layout around a list with nothing in it

# (figure name, path, who asks)
PAGES = [
    ("deals_page", "/deals/", "vendor"),
    ("deals_page_partner", "/deals/", "partner"),
    ("deals_api", "/api/v1/deals", "vendor"),
    ("locator_page", "/partners/?region=Москва&competence=siem", "anonymous"),
    ("locator_api", "/api/v1/public/catalogue?region=Татарстан", "anonymous"),
    ("organisations_page", "/organisations/", "vendor"),
    ("enrolments_page", "/enrolments/", "vendor"),
    ("enrolments_api", "/api/v1/enrolments", "vendor"),
    ("review_page", "/deals/review/", "vendor"),
    ("audit_page", "/audit/", "vendor"),
]


def build() -> dict[str, str]:
    """The data, and a signed-in session cookie per role."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.utils import timezone

    from partnerhub.deals.keys import domain_key, match_keys, name_key
    from partnerhub.identity.models import Membership, Organisation, User
    from partnerhub.identity.roles import OrgKind, Role
    from partnerhub.identity.validators import inn_check_digits
    from partnerhub.onboarding.index import sync_terms
    from partnerhub.partners.models import Enrolment, PartnerProfile
    from partnerhub.programmes.services import load_demo_programmes

    def _inn(i: int) -> str:
        prefix = f"77{i:07d}"
        return prefix + inn_check_digits(prefix)

    t0 = time.perf_counter()
    rng = random.Random(2026)
    load_demo_programmes()
    from partnerhub.programmes.models import Programme

    programme = Programme.objects.get(code="security-partners")
    vendor = Organisation.objects.create(kind=OrgKind.VENDOR, name="Vendor")
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                kind=OrgKind.PARTNER,
                name=f"Partner {i:05d}",
                inn=_inn(i),
                region=REGIONS[i % 8],
                city=REGIONS[i % 8] if i % 3 else f"г. {REGIONS[i % 8]}",
            )
            for i in range(PARTNERS)
        ],
        batch_size=2000,
    )
    PartnerProfile.objects.bulk_create(
        [
            PartnerProfile(
                organisation=o,
                description="Integrator.",
                listed_in_catalogue=True,
                competences=rng.sample(COMPETENCES, 3),
                regions=rng.sample(REGIONS, 2),
            )
            for o in orgs
        ],
        batch_size=2000,
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                organisation=o,
                programme=programme,
                role_code="reseller",
                status=Enrolment.Status.ACTIVE,
                joined_on=date(2026, 1, 1),
                tier_code=rng.choice(["authorized", "certified", "privileged"]),
            )
            for o in orgs
        ],
        batch_size=2000,
    )
    sync_terms([o.pk for o in orgs])  # bulk writes bypass save(): index them as the services would

    now = timezone.now()
    # most deals are decided; a few await the vendor (as on a live system)
    statuses = (
        ["protected"] * 30
        + ["won"] * 30
        + ["lost"] * 20
        + ["expired"] * 16
        + ["pending", "pending", "held", "withdrawn"]
    )
    with connection.cursor() as cur:
        raw = cur.connection
        with (
            raw.cursor() as c,
            c.copy(
                "COPY deals_claim (organisation_id, tier_code, kind, origin, status, stage, cooperation_model, title, "
                "customer_name, customer_inn, customer_domain, customer_region, customer_city, name_key, match_keys, "
                "domain_key, currency, amount, contact_name, contact_email, contact_phone, description, "
                "decision_reason, hold_reasons, registered_at, last_activity_at, uplift_percent, "
                "benefit_share_percent, lock_version, created_at, updated_at) FROM STDIN"
            ) as copy,
        ):
            for i in range(DEALS):
                org = orgs[0] if i % 200 == 0 else orgs[rng.randrange(PARTNERS)]
                name = f"ООО «Клиент {i}»"
                status = statuses[i % len(statuses)]
                at = now - timedelta(days=rng.randint(0, 700))
                stage = "won" if status == "won" else rng.choice(["registered", "qualified", "proposal"])
                copy.write_row(
                    (
                        org.pk,
                        "",
                        "deal",
                        "registered",
                        status,
                        stage,
                        "resale",
                        f"Deal {i}",
                        name,
                        "",
                        f"client{i}.ru",
                        org.region,
                        org.city,
                        name_key(name),
                        match_keys(name_key(name)),
                        domain_key(f"client{i}.ru"),
                        "RUB",
                        "100000.00",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "[]",
                        at,
                        at,
                        0,
                        100,
                        1,
                        now,
                        now,
                    )
                )
        cur.execute("VACUUM ANALYZE")

    def session_for(email: str, org: Organisation, role: str) -> str:
        user = User.objects.create_user(email=email, password=None)
        Membership.objects.create(user=user, organisation=org, role=role)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    cookies = {
        "vendor": session_for("admin@bench.test", vendor, Role.VENDOR_ADMIN),
        "partner": session_for("admin@p0.bench.test", orgs[0], Role.PARTNER_ADMIN),
        "anonymous": "",
    }
    print(f"  built {PARTNERS:,} partners and {DEALS:,} deals in {time.perf_counter() - t0:.1f} s")
    return cookies


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, cookie: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "GET", quote(path, safe="/?=&"), headers={"Cookie": cookie, "Accept-Language": "ru"} if cookie else {}
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def rps(port: int, path: str, cookie: str) -> float:
    """Requests per second of CLIENTS concurrent clients over SECONDS (bounded in time and count)."""
    status = _get(port, path, cookie)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    done = [0] * CLIENTS
    stop = time.perf_counter() + SECONDS

    def client(n: int) -> None:
        while time.perf_counter() < stop and done[n] < 100_000:
            _get(port, path, cookie)
            done[n] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return sum(done) / (time.perf_counter() - t)


def main() -> None:
    print(f"== list pages under gunicorn -w 2: {PARTNERS:,} partners, {DEALS:,} deals (PostgreSQL)")
    with scratch_database("partnerhub_bench_lists") as url:
        setup_django()
        cookies = build()
        from django.db import connections

        connections.close_all()
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        server = subprocess.Popen(  # noqa: S603 - our own app server on loopback
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            deadline = time.time() + 60
            while True:
                try:
                    if _get(port, "/healthz", "") == 200:
                        break
                except OSError:
                    pass
                if time.time() > deadline or server.poll() is not None:
                    raise RuntimeError("gunicorn did not start")
                time.sleep(0.3)
            for _name, path, who in PAGES:  # warm both workers' caches
                _get(port, path, cookies[who])
                _get(port, path, cookies[who])
            base = rps(port, "/healthz", "")
            print(f"  /healthz {base:7.1f} req/s")
            # What any signed-in request costs before it lists anything (session, user, membership): the floor
            # every signed-in list stands on, printed so each page's ratio can be read against it.
            floor = rps(port, FLOOR_PATH, cookies["vendor"])
            print(
                f"  {FLOOR_PATH:45s} ({'vendor':9s}) {floor:7.1f} req/s  = {floor / base:.2f}x /healthz "
                "(the signed-in floor: no list)"
            )
            # And what the page layout alone costs (menu, organisation, language, notifications): the floor every
            # signed-in list page stands on.
            html_floor = rps(port, HTML_FLOOR_PATH, cookies["vendor"])
            print(
                f"  {HTML_FLOOR_PATH:45s} ({'vendor':9s}) {html_floor:7.1f} req/s  = {html_floor / base:.2f}x /healthz "
                "(the signed-in page floor: the layout, an empty list)"
            )
            figures = []
            for name, path, who in PAGES:
                value = rps(port, path, cookies[who])
                print(f"  {path:45s} ({who:9s}) {value:7.1f} req/s  = {value / base:.2f}x /healthz")
                figures.append(Figure(f"lists.{name}_rps", value, base, "req/s", "ratio>=0.25", value >= 0.25 * base))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        summary(figures)


if __name__ == "__main__":
    main()

"""The production topology, end to end: gunicorn with 2 workers, a Celery worker and beat, Redis, PostgreSQL.

Every other test runs jobs eagerly in the test process. This pass starts the real processes on
loopback, each in a process group of its own, and checks what only they can show:

1. login throttling counts across the 2 gunicorn workers (the cache is shared);
2. a scheduled sweep (beat → worker) ends a deal's protection exactly once, however often it runs,
   and its webhook reaches the partner's receiver once;
3. a deal registered through the API has its webhook delivered by the worker; the worker is
   killed with SIGKILL while it is sending, a second deal is registered while no worker runs,
   the worker is started again: each delivery completes exactly once and none is lost.

It uses a fresh PostgreSQL database of its own (dropped at the end) and a Redis database number
of its own (flushed before and after), starts Redis if none answers on 127.0.0.1:6379, and stops
every process it started, whatever happens (also on SIGINT/SIGTERM and on its time limit).

    .venv/bin/python scripts/topology_check.py      # or: make topology; run by .ci/run

Environment: TOPOLOGY_PG (default postgres://postgres@127.0.0.1:5432), TOPOLOGY_REDIS_DB (default 13),
TOPOLOGY_TIME_LIMIT seconds (default 180).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from http.cookiejar import CookieJar
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
PG = os.environ.get("TOPOLOGY_PG", f"postgres://postgres@{HOST}:5432")
REDIS_DB = int(os.environ.get("TOPOLOGY_REDIS_DB", "13"))
TIME_LIMIT = int(os.environ.get("TOPOLOGY_TIME_LIMIT", "180"))
KILL_MARKER = "Topology Kill Test LLC"
WHILE_DOWN_MARKER = "Topology Worker Down LLC"


class TopologyFailure(AssertionError):
    pass


def log(message: str) -> None:
    print(f"[topology {time.strftime('%H:%M:%S')}] {message}", flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise TopologyFailure(message)
    log(f"ok: {message}")


def wait_for(what: str, predicate, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TopologyFailure(f"timed out after {timeout:.0f} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------- processes


class Processes:
    """Every process this pass starts, each in its own process group; all stopped by stop_all()."""

    def __init__(self, logs: Path, env: dict[str, str]):
        self.logs, self.env, self.running = logs, env, {}

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,  # noqa: S603
                                stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        self.running[name] = (proc, out)
        log(f"started {name} (pid {proc.pid})")
        return proc

    def kill(self, name: str) -> None:
        """SIGKILL the whole group at once, as the kernel's OOM killer or a lost machine would."""
        proc, out = self.running.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        out.close()
        wait_for(f"every process of {name} to be gone", lambda: not _group_alive(proc.pid), 10, 0.2)

    def stop(self, name: str) -> None:
        proc, out = self.running.pop(name)
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        out.close()

    def stop_all(self) -> None:
        for name in list(self.running)[::-1]:
            try:
                self.stop(name)
                log(f"stopped {name}")
            except Exception as exc:
                log(f"could not stop {name}: {exc!r}")

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.logs / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


# ---------------------------------------------------------------------------- the partner's webhook receiver


class Receiver:
    """A partner's endpoint on loopback: records every request; holds the first one about the kill deal."""

    def __init__(self):
        self.lock = threading.Lock()
        self.seen: dict[str, int] = defaultdict(int)  # delivery id → requests received
        self.answered: dict[str, int] = defaultdict(int)  # delivery id → requests answered 2xx
        self.events: list[tuple[str, str, str]] = []  # (event type, delivery id, body) answered
        self.holding = threading.Event()
        self.release = threading.Event()
        self.sender_gone = threading.Event()
        self.held_delivery = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                delivery, event = self.headers.get("X-Partnerhub-Delivery", ""), self.headers.get("X-Partnerhub-Event")
                with receiver.lock:
                    receiver.seen[delivery] += 1
                    hold = KILL_MARKER in body and not receiver.held_delivery
                    if hold:
                        receiver.held_delivery = delivery
                if hold:
                    receiver.holding.set()  # the sender is now inside the send: hold it there
                    receiver.watch_sender(self.connection)
                    return  # no answer: the sender is gone
                with receiver.lock:
                    receiver.answered[delivery] += 1
                    receiver.events.append((event, delivery, body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def watch_sender(self, conn: socket.socket) -> None:
        """Until released, watch the held connection: it closes when the sending process dies."""
        conn.settimeout(0.2)
        while not self.release.is_set():
            try:
                if conn.recv(1, socket.MSG_PEEK) == b"":
                    break
            except TimeoutError:
                continue
            except OSError:
                break
        else:
            return
        self.sender_gone.set()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def answered_events(self, event_type: str, marker: str = "") -> list[tuple[str, str, str]]:
        with self.lock:
            return [e for e in self.events if e[0] == event_type and marker in e[2]]


# ---------------------------------------------------------------------------- HTTP client


class Client:
    def __init__(self, base: str, token: str = ""):
        self.base, self.token = base, token
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())

    def request(self, method: str, path: str, data=None, form: dict | None = None, headers=None):
        headers = dict(headers or {})
        body = None
        if data is not None:
            body, headers["Content-Type"] = json.dumps(data).encode(), "application/json"
        elif form is not None:
            body, headers["Content-Type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)  # noqa: S310
        try:
            with self.opener.open(req, timeout=30) as resp:
                return resp.status, resp.read().decode(), resp.headers
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), exc.headers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# ---------------------------------------------------------------------------- the pass


def main() -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="ph-topology-"))
    database = f"ph_topology_{os.getpid()}_{int(time.time())}"
    redis_url = f"redis://{HOST}:6379/{REDIS_DB}"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_", "PARTNERHUB_")) and k not in ("CACHE_URL", "JOB_SCHEDULES")
    }
    env.update(
        DATABASE_URL=f"{PG}/{database}", REDIS_URL=redis_url,
        SECRET_KEY=secrets.token_urlsafe(48), DEBUG="0", ALLOWED_HOSTS=HOST, SITE_URL=f"http://{HOST}",
        PARTNERHUB_DATA_DIR=str(work / "data"), LANGUAGE_CODE="en", LOG_LEVEL="INFO",
        WEBHOOKS_ALLOW_HTTP="1", WEBHOOKS_ALLOW_PRIVATE_NETWORKS="1", WEBHOOKS_TIMEOUT_SECONDS="5",
        WEBHOOKS_CLAIM_LEASE_SECONDS="12", LOGIN_THROTTLE_MAX_FAILURES="5",
        JOB_SCHEDULES="deals-sweep-protection-daily=4; deliver-webhooks=3",
        DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1",
    )  # fmt: skip
    procs = Processes(work, env)
    receiver: Receiver | None = None
    created_db = flushed_redis = False

    def on_signal(signum, frame):
        raise TopologyFailure(f"stopped by signal {signum}")

    def on_time_limit(signum, frame):
        raise TopologyFailure(f"time limit of {TIME_LIMIT} s reached")

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_time_limit)
    signal.alarm(TIME_LIMIT)
    try:
        _ensure_redis(procs)
        _redis().flushdb()
        flushed_redis = True
        _psql(f'CREATE DATABASE "{database}"')
        created_db = True
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        call_command("createcachetable")
        call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        fixture = _seed()
        log(f"database {database} ready ({time.monotonic() - started:.0f} s)")

        receiver = Receiver()
        port = free_port()
        base = f"http://{HOST}:{port}"
        procs.start("gunicorn", [str(BIN / "gunicorn"), "config.wsgi", "-b", f"{HOST}:{port}", "-w", "2",
                                 "--timeout", "30", "--graceful-timeout", "5"])  # fmt: skip
        wait_for("gunicorn to answer /healthz", lambda: _status(f"{base}/healthz") == 200, 30)

        _login_throttling(base)

        api = Client(base + "/api/v1", token=fixture["token"])
        status, body, _ = api.request("POST", "/webhooks/endpoints", data={
            "url": f"http://{HOST}:{receiver.port}/hook", "event_types": ["*"], "description": "topology"})  # fmt: skip
        check(status == 201, f"the partner registers a webhook endpoint on loopback (got {status} {body[:300]})")
        _expire_protection_yesterday(fixture["protected_claim"])

        worker = [str(BIN / "celery"), "-A", "config", "worker", "-l", "info", "-c", "2", "-n", f"topology-{port}@%h",
                  "--without-gossip", "--without-mingle"]  # fmt: skip
        procs.start("worker", worker)
        procs.start("beat", [str(BIN / "celery"), "-A", "config", "beat", "-l", "info",
                             "-s", str(work / "celerybeat-schedule")])  # fmt: skip

        _scheduled_sweep(procs, receiver, fixture["protected_claim"])
        _kill_the_worker_mid_send(procs, receiver, api, fixture, worker)
        _scheduled_sweep_stays_done(procs, fixture["protected_claim"])
        log(f"PASSED in {time.monotonic() - started:.0f} s")
        return 0
    except TopologyFailure as exc:
        log(f"FAILED: {exc}")
        for name in ("gunicorn", "worker", "beat"):
            print(f"--- last lines of {name}.log\n{procs.tail(name)}", flush=True)
        return 1
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        procs.stop_all()
        if receiver is not None:
            receiver.stop()
        _close_django_connections()
        if flushed_redis:
            try:
                _redis().flushdb()
            except Exception as exc:
                log(f"could not flush redis db {REDIS_DB}: {exc!r}")
        if created_db:
            _psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
        log("cleaned up: processes stopped, database dropped, redis db flushed")


# ---------------------------------------------------------------------------- steps


def _login_throttling(base: str) -> None:
    """5 wrong passwords spread over both gunicorn workers lock the account for both."""
    import re

    from django.conf import settings

    email = "sales@beta.demo"
    for _ in range(settings.LOGIN_THROTTLE_MAX_FAILURES):
        browser = Client(base)  # a new connection each time: the two workers share them out
        _, page, _ = browser.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _, _ = browser.request("POST", "/login/", form={"username": email, "password": "wrong-password-1",
                                                                "csrfmiddlewaretoken": token})  # fmt: skip
        check(status == 200, "a wrong password is refused")
    browser = Client(base)
    _, page, _ = browser.request("GET", "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    from partnerhub.identity.demo import DEMO_PASSWORD

    status, page, _ = browser.request("POST", "/login/", form={"username": email, "password": DEMO_PASSWORD,
                                                               "csrfmiddlewaretoken": token})  # fmt: skip
    check(
        status == 200 and "Too many failed attempts" in page,
        "after 5 failures spread over 2 gunicorn workers even the right password is refused (shared counter)",
    )


def _scheduled_sweep(procs: Processes, receiver: Receiver, claim_id: int) -> None:
    from partnerhub.deals.models import Claim

    wait_for("beat and the worker to run the sweep and end the protection",
             lambda: Claim.objects.get(pk=claim_id).status == Claim.Status.EXPIRED, 45)  # fmt: skip
    lapsed = wait_for("the sweep's webhook to reach the receiver",
                      lambda: receiver.answered_events("deal.protection_lapsed"), 30)  # fmt: skip
    check(len(lapsed) == 1, "the scheduled sweep ended the deal's protection; its webhook arrived once")


def _scheduled_sweep_stays_done(procs: Processes, claim_id: int) -> None:
    from partnerhub.core.models import AuditEntry

    def sweeps() -> int:
        return procs.tail("worker", 100000).count("Task deals.sweep_protection[")

    done = sweeps()
    wait_for("two more sweeps", lambda: sweeps() >= done + 4, 30)  # (received and succeeded lines: 2 each)
    n = AuditEntry.objects.filter(action="deal.protection_expired", object_id=str(claim_id)).count()
    check(n == 1, f"after {sweeps() // 2} sweeps (and a worker restart) the protection ended exactly once")


def _kill_the_worker_mid_send(procs, receiver: Receiver, api: Client, fixture: dict, worker: list[str]) -> None:
    import datetime as dt

    from partnerhub.webhooks.models import WebhookDelivery

    org, family = fixture["organisation"], fixture["family"]
    close_on = (dt.date.today() + dt.timedelta(days=60)).isoformat()

    def register(name: str, inn: str) -> int:
        status, body, _ = api.request("POST", f"/organisations/{org}/deals", data={
            "customer_name": name, "customer_inn": inn, "expected_close_on": close_on,
            "lines": [{"product_family": family, "amount": "150000.00"}]})  # fmt: skip
        check(status == 201, f"the API registers a deal for {name} (got {status} {body[:300]})")
        return json.loads(body)["id"]

    first = register(KILL_MARKER, "7707083893")
    check(receiver.holding.wait(30), "the deal's webhook is being sent (and held open by the receiver)")
    check(not receiver.sender_gone.is_set(), "the sender is still waiting for the answer")
    procs.kill("worker")
    check(receiver.sender_gone.wait(10), "SIGKILL of the worker cut the send short: the worker was the sender")
    delivery = WebhookDelivery.objects.get(delivery_id=receiver.held_delivery)
    check(delivery.status != WebhookDelivery.Status.SUCCEEDED, "the cut-short delivery is not recorded as done")
    receiver.release.set()

    second = register(WHILE_DOWN_MARKER, "7736207543")  # queued while no worker runs
    procs.start("worker", worker)

    def all_done() -> bool:
        rows = WebhookDelivery.objects.filter(event_type="deal.registered", payload__data__id__in=[first, second])
        return rows.count() == 2 and all(r.status == WebhookDelivery.Status.SUCCEEDED for r in rows)

    wait_for("both deliveries to succeed after the restart", all_done, 60)
    for marker in (KILL_MARKER, WHILE_DOWN_MARKER):
        answered = receiver.answered_events("deal.registered", marker)
        check(len(answered) == 1, f"the webhook of the deal for {marker} was received and answered exactly once")
    check(receiver.seen[receiver.held_delivery] == 2 and receiver.answered[receiver.held_delivery] == 1,
          "the cut-short delivery was sent again (same delivery id) and completed once")  # fmt: skip
    to_receiver = WebhookDelivery.objects.filter(endpoint__description="topology")
    unfinished = to_receiver.exclude(status=WebhookDelivery.Status.SUCCEEDED)
    check(not unfinished.exists(), "no delivery to the receiver is left pending, failed or dead")


# ---------------------------------------------------------------------------- setup helpers


def _seed() -> dict:
    from partnerhub.deals.models import Claim
    from partnerhub.identity import services as identity
    from partnerhub.identity.models import User

    admin = User.objects.get(email="admin@alpha.demo")
    _, token = identity.token_create(actor=admin, name="topology")
    # a deal with product lines (the demo's referral claims have none)
    claim = (
        Claim.objects.filter(organisation__name="Альфа Интеграция", status=Claim.Status.PROTECTED,
                             kind=Claim.Kind.DEAL, lines__isnull=False)
        .order_by("pk")
        .first()
    )  # fmt: skip
    if claim is None:
        raise TopologyFailure("the demo data has no protected deal of Альфа Интеграция")
    return {"token": token, "organisation": claim.organisation_id, "protected_claim": claim.pk,
            "family": claim.lines.first().product_family.code}  # fmt: skip


def _expire_protection_yesterday(claim_id: int) -> None:
    import datetime as dt

    from django.utils import timezone

    from partnerhub.deals.models import Claim

    Claim.objects.filter(pk=claim_id).update(protected_until=timezone.localdate() - dt.timedelta(days=1))


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 (loopback)
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def _redis():
    import redis

    return redis.Redis(host=HOST, port=6379, db=REDIS_DB, socket_timeout=5)


def _ensure_redis(procs: Processes) -> None:
    if _ping_redis():
        return
    server = shutil.which("redis-server")
    if server is None:
        raise TopologyFailure("no Redis on 127.0.0.1:6379 and no redis-server to start one")
    procs.start("redis", [server, "--bind", HOST, "--port", "6379", "--save", "", "--appendonly", "no"])
    wait_for("redis to answer", lambda: _ping_redis(), 15)


def _ping_redis() -> bool:
    try:
        return bool(_redis().ping())
    except Exception:
        return False


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _close_django_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    sys.exit(main())

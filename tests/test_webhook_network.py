"""Webhook sending against DNS rebinding: the POST goes to the address that was checked, TLS is
verified for the host name, and tenants read a short reason, never the transport's own error."""

from __future__ import annotations

import ipaddress
import json
import shutil
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from partnerhub.webhooks import sending

REAL_GETADDRINFO = socket.getaddrinfo
REAL_CREATE_CONNECTION = socket.create_connection
PUBLIC = "93.184.216.34"


class Server:
    """A local HTTP(S) server on 127.0.0.1 that records each request's Host header and TLS server name."""

    def __init__(self, tls_cert: str | None = None) -> None:
        self.requests: list[dict] = []
        self.server_names: list[str | None] = []
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                rec.requests.append({"host": self.headers["Host"], "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_cert)
            context.sni_callback = lambda sock, name, ctx: self.server_names.append(name)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def server():
    servers: list[Server] = []

    def make(**kw) -> Server:
        servers.append(Server(**kw))
        return servers[-1]

    yield make
    for s in servers:
        s.close()


def fake_dns(monkeypatch, answers: dict[str, list[str]]) -> list[str]:
    """Names resolve to the next address in their list (the last one sticks); the rest as usual."""
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        asked.append(host)
        queue = answers[host]
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def guarded_connections(monkeypatch) -> list[tuple[str, int]]:
    """Connections to a public address are recorded and refused (tests never reach the network)."""
    opened: list[tuple[str, int]] = []

    def create_connection(address, *args, **kwargs):
        try:
            ip = ipaddress.ip_address(address[0])
        except ValueError:  # a host name: resolved (through the fake DNS) by the real function
            return REAL_CREATE_CONNECTION(address, *args, **kwargs)
        opened.append((str(ip), address[1]))
        if not ip.is_loopback:
            raise ConnectionRefusedError(111, f"Connection refused by {ip}")
        return REAL_CREATE_CONNECTION(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return opened


def test_a_name_that_rebinds_after_the_check_still_gets_the_checked_address(monkeypatch, server, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    settings.WEBHOOKS_ALLOW_HTTP = False
    internal = server()  # stands for a service on the vendor's own network
    asked = fake_dns(monkeypatch, {"hooks.example.test": [PUBLIC, "127.0.0.1"]})
    opened = guarded_connections(monkeypatch)
    result = sending.post(f"http://hooks.example.test:{internal.port}/hook", b"{}", {}, timeout=2)
    assert internal.requests == []  # the rebinding answer was never used
    assert asked == ["hooks.example.test"]  # resolved once, for the check
    assert opened == [(PUBLIC, internal.port)]
    assert result.status is None and result.error == "The receiver refused the connection."


def test_the_host_header_keeps_the_name(monkeypatch, server, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True  # the loopback receiver stands for an on-premises one
    receiver = server()
    fake_dns(monkeypatch, {"hooks.example.test": ["127.0.0.1"]})
    opened = guarded_connections(monkeypatch)
    result = sending.post(f"http://hooks.example.test:{receiver.port}/hook", b'{"a":1}', {}, timeout=5)
    assert result.ok and opened == [("127.0.0.1", receiver.port)]
    assert receiver.requests == [{"host": f"hooks.example.test:{receiver.port}", "body": b'{"a":1}'}]


@pytest.fixture
def certificate(tmp_path) -> str:
    """A self-signed certificate (and key) for hooks.example.test only."""
    pem = tmp_path / "hooks.pem"
    subprocess.run(  # noqa: S603 (fixed arguments)
        [shutil.which("openssl") or "/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=hooks.example.test", "-addext", "subjectAltName=DNS:hooks.example.test",
         "-keyout", str(pem), "-out", str(pem)],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(pem)


def test_tls_is_verified_for_the_host_name_not_the_address(monkeypatch, server, settings, certificate, caplog):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    receiver = server(tls_cert=certificate)
    monkeypatch.setattr(sending, "ssl_context", lambda: ssl.create_default_context(cafile=certificate))
    fake_dns(monkeypatch, {"hooks.example.test": ["127.0.0.1"], "other.example.test": ["127.0.0.1"]})
    opened = guarded_connections(monkeypatch)

    result = sending.post(f"https://hooks.example.test:{receiver.port}/hook", b"{}", {}, timeout=5)
    assert result.ok, result.error
    assert opened == [("127.0.0.1", receiver.port)]  # connected to the address…
    assert receiver.server_names == ["hooks.example.test"]  # …and asked for the name's certificate (SNI)

    # The same address under a name the certificate does not cover: verification fails.
    result = sending.post(f"https://other.example.test:{receiver.port}/hook", b"{}", {}, timeout=5)
    assert result.status is None
    assert result.error == "The receiver's TLS certificate could not be verified for its host name."
    assert len(receiver.requests) == 1
    assert "CERTIFICATE_VERIFY_FAILED" in caplog.text  # the detail is in the server log only


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        ({"hooks.example.test": ["10.1.2.3"]}, "The host resolves to an address events are not sent to."),
        ({"hooks.example.test": [PUBLIC, "169.254.169.254"]}, None),  # checked once: the public one is used
    ],
)
def test_a_refused_address_is_never_connected_to(monkeypatch, settings, answers, reason):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    fake_dns(monkeypatch, answers)
    opened = guarded_connections(monkeypatch)
    result = sending.post("https://hooks.example.test/hook", b"{}", {}, timeout=2)
    if reason:
        assert opened == [] and result.error == reason
        assert "10.1.2.3" not in result.error
    else:
        assert opened == [(PUBLIC, 443)]


@pytest.mark.django_db
def test_tenants_read_a_reason_not_the_transport_error(world, settings, caplog, django_capture_on_commit_callbacks):
    from partnerhub.webhooks.models import WebhookDelivery

    from .test_webhooks import endpoint, publish

    settings.WEBHOOKS_ALLOW_HTTP = True
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint(world, url=f"http://127.0.0.1:{port}/hook")
    [d] = publish(django_capture_on_commit_callbacks, org_ids=[world.partner_a.pk])
    d = WebhookDelivery.objects.get(pk=d.pk)
    assert d.status == WebhookDelivery.Status.FAILED
    assert d.last_error == "The receiver refused the connection." == d.attempt_log[-1]["error"]
    assert "Connection refused" in caplog.text and "111" not in d.last_error  # the detail stays in the log


def test_unresolvable_names_are_reported_without_the_resolver_text(monkeypatch):
    def getaddrinfo(host, port, *args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    result = sending.post("https://nowhere.example.test/hook", b"{}", {}, timeout=2)
    assert result.error == "The host name could not be resolved."
    json.dumps(result.error)  # a plain string, stored as is

"""Where webhooks may go, and the HTTP POST itself (standard library only).

URLs must use https. Plain http is accepted only for the loopback host (127.0.0.1, ::1,
localhost) and only when ``DEBUG`` or ``WEBHOOKS_ALLOW_HTTP`` is on, for local development.
The server never posts to private, link-local or otherwise non-public addresses (which would
let a tenant probe the vendor's network) unless ``WEBHOOKS_ALLOW_PRIVATE_NETWORKS`` is on, as an
on-premises installation with receivers on its own network may need. The check is made on the
URL when it is saved and on the resolved addresses before every attempt; redirects are not
followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partnerhub.core.validators import validate_web_url

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
BODY_EXCERPT_BYTES = 1024


def allow_http() -> bool:
    return bool(settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_HTTP", False))


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_NETWORKS", False))


def address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    if ip.is_loopback:
        return allow_http() or allow_private()
    if ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return False  # never: cloud metadata services live on link-local addresses
    if ip.is_global:
        return True
    return allow_private() and ip.is_private


def _is_loopback_host(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_url(url: str) -> str:
    """The URL, stripped, or a ValidationError saying what is wrong with it."""
    url = (url or "").strip()
    if not url:
        raise ValidationError(_("Enter the URL events are sent to."), code="required")
    if len(url) > 500:
        raise ValidationError(_("The URL is too long (500 characters at most)."), code="max_length")
    try:
        validate_web_url(url)
    except ValidationError:
        raise ValidationError(_("Enter a valid URL, such as https://example.com/webhooks."), code="invalid") from None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.username or parts.password:
        raise ValidationError(_("The URL must not contain a user name or password."), code="credentials")
    loopback = _is_loopback_host(host)
    if parts.scheme == "http" and not (loopback and allow_http()):
        raise ValidationError(_("The URL must use https."), code="https_required")
    if loopback and not (allow_http() or allow_private()):
        raise ValidationError(_("Events cannot be sent to this server's own address."), code="address_not_allowed")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not address_allowed(literal):
        raise ValidationError(_("Events cannot be sent to a private or reserved address."), code="address_not_allowed")
    return url


@dataclass
class Result:
    status: int | None = None  # the HTTP status code, if an answer came
    body: str = ""  # its first KB
    error: str = ""  # what went wrong, if anything
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx answer is a failed delivery, not an invitation to post elsewhere


def _check_resolved(host: str, port: int) -> str:
    """An error message if ``host`` resolves to an address we do not post to, else ""."""
    if urllib.request.getproxies() and not urllib.request.proxy_bypass(host):
        return ""  # a configured egress proxy resolves the name and guards the network itself
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return _("Could not resolve the host name: %(error)s") % {"error": exc}
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address_allowed(ip):
            return _("The host resolves to an address events are not sent to (%(ip)s).") % {"ip": ip}
    return ""


def _excerpt(raw: bytes) -> str:
    return raw[:BODY_EXCERPT_BYTES].decode("utf-8", "replace").replace("\x00", "\ufffd")


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Result:
    """POST ``body`` to ``url``; never raises for network or HTTP failures."""
    started = time.monotonic()

    def done(**kwargs) -> Result:
        return Result(duration_ms=int((time.monotonic() - started) * 1000), **kwargs)

    parts = urlsplit(url)
    host = parts.hostname or ""
    problem = _check_resolved(host, parts.port or (443 if parts.scheme == "https" else 80))
    if problem:
        return done(error=problem[:500])
    handlers: list = [_NoRedirects()]
    if _is_loopback_host(host.lower()):
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked)
    try:
        with opener.open(request, timeout=timeout) as response:
            return done(status=response.status, body=_excerpt(response.read(BODY_EXCERPT_BYTES)))
    except urllib.error.HTTPError as exc:
        try:
            raw = exc.read(BODY_EXCERPT_BYTES)
        except Exception:  # the error body is only informative
            raw = b""
        finally:
            exc.close()
        return done(status=exc.code, body=_excerpt(raw), error=f"HTTP {exc.code} {exc.reason}"[:500])
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return done(error=(str(reason) or exc.__class__.__name__)[:500])

"""Where webhooks may go, and the HTTP POST itself (standard library only).

URLs must use https. Plain http is accepted only for the loopback host (127.0.0.1, ::1,
localhost) and only when ``DEBUG`` or ``WEBHOOKS_ALLOW_HTTP`` is on, for local development.
The server never posts to private, link-local or otherwise non-public addresses (which would
let a tenant probe the vendor's network) unless ``WEBHOOKS_ALLOW_PRIVATE_NETWORKS`` is on, as an
on-premises installation with receivers on its own network may need. The check is made on the
URL when it is saved and on the resolved addresses before every attempt; redirects are not
followed.

Each attempt resolves the host name once, checks every address it got, and connects to the
address it checked (``_PinnedHTTPSConnection``): a DNS answer that changes between the check
and the connection (DNS rebinding) cannot send the POST elsewhere. TLS still verifies the
certificate against the host name (SNI), and the Host header carries the name. Through a
configured egress proxy the proxy resolves the name and guards the network itself.

A failed attempt records a short, translated reason (``Result.error``) that the tenant reads;
the transport's own error text (addresses, library messages) goes to the server log only.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import logging
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partnerhub.core.validators import validate_web_url

logger = logging.getLogger(__name__)

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
    error: str = ""  # what went wrong, if anything: a translated reason, never the transport's own text
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx answer is a failed delivery, not an invitation to post elsewhere


# The resolver and the TCP connector, looked up at call time so tests can put fakes in their place.
def _getaddrinfo(host: str, port: int):
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def _open_socket(address: tuple[str, int], timeout, source_address):
    return socket.create_connection(address, timeout, source_address)


def ssl_context() -> ssl.SSLContext:
    """Certificate and host name verification on (the default context)."""
    return ssl.create_default_context()


class _Refused(Exception):
    """The name did not resolve, or resolved to an address events are not sent to."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def _checked_address(host: str, port: int) -> str:
    """The address to connect to: every address the name resolves to must be allowed; the first is used."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        ip = None
    if ip is not None:
        addresses = [ip]
    else:
        try:
            infos = _getaddrinfo(host, port)
        except OSError as exc:
            raise _Refused(_("The host name could not be resolved."), f"getaddrinfo({host!r}): {exc}") from exc
        addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses:
        raise _Refused(_("The host name could not be resolved."), f"getaddrinfo({host!r}): no address")
    for address in addresses:
        if not address_allowed(address):
            raise _Refused(_("The host resolves to an address events are not sent to."), f"{host} -> {address}")
    return str(addresses[0])


class _PinnedConnection:
    """Connects to ``address`` for the URL's host: the Host header (and, over TLS, SNI and certificate
    verification — ``HTTPSConnection.connect`` wraps with ``server_hostname=self.host``) keep the name."""

    def __init__(self, host, *, address: str, **kwargs) -> None:
        super().__init__(host, **kwargs)
        self._address = address
        self._create_connection = self._connect_to_address

    def _connect_to_address(self, host_port, timeout, source_address):
        return _open_socket((self._address, host_port[1]), timeout, source_address)


class _PinnedHTTPConnection(_PinnedConnection, http.client.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnection, http.client.HTTPSConnection):
    pass


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(functools.partial(_PinnedHTTPConnection, address=self.address), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, address: str) -> None:
        super().__init__(context=ssl_context())
        self.address = address

    def https_open(self, req):
        return self.do_open(functools.partial(_PinnedHTTPSConnection, address=self.address), req,
                            context=self._context)  # fmt: skip


def _proxied(host: str) -> bool:
    """Whether a configured egress proxy carries the request (never for the loopback host)."""
    if _is_loopback_host(host.lower()):
        return False
    return bool(urllib.request.getproxies()) and not urllib.request.proxy_bypass(host)


def _excerpt(raw: bytes) -> str:
    return raw[:BODY_EXCERPT_BYTES].decode("utf-8", "replace").replace("\x00", "\ufffd")


def _reason(exc: BaseException, timeout: float) -> str:
    """A short reason a tenant may read, for a transport failure."""
    cause = getattr(exc, "reason", None)
    cause = cause if isinstance(cause, BaseException) else exc
    if isinstance(cause, socket.timeout | TimeoutError):
        return _("The receiver did not answer within %(seconds)s seconds.") % {"seconds": int(timeout)}
    if isinstance(cause, ssl.SSLCertVerificationError):
        return _("The receiver's TLS certificate could not be verified for its host name.")
    if isinstance(cause, ssl.SSLError):
        return _("The TLS connection to the receiver failed.")
    if isinstance(cause, ConnectionRefusedError):
        return _("The receiver refused the connection.")
    if isinstance(cause, http.client.HTTPException):
        return _("The receiver's answer was not valid HTTP.")
    return _("The connection to the receiver failed.")


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Result:
    """POST ``body`` to ``url`` at the address checked for it; never raises for network or HTTP failures."""
    started = time.monotonic()

    def done(**kwargs) -> Result:
        return Result(duration_ms=int((time.monotonic() - started) * 1000), **kwargs)

    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    handlers: list = [_NoRedirects()]
    if not _proxied(host):
        try:
            address = _checked_address(host, port)
        except _Refused as exc:
            logger.warning("webhook to %s not sent: %s", url, exc)
            return done(error=exc.reason)
        handlers += [urllib.request.ProxyHandler({}), _PinnedHTTPHandler(address), _PinnedHTTPSHandler(address)]
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
        return done(status=exc.code, body=_excerpt(raw), error=f"HTTP {exc.code}")
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        logger.warning("webhook POST to %s failed: %r", url, getattr(exc, "reason", None) or exc)
        return done(error=_reason(exc, timeout))

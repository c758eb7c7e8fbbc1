"""The pieces of click tracking that touch the request: bots, the visitor cookie, addresses, targets.

* Bots: crawlers, headless browsers and link previewers announce themselves in the user agent;
  HEAD requests and browser prefetches are not people clicking either.
* The ``ph_ref`` cookie holds the visitor id and the last click, signed with
  :mod:`django.core.signing` (a forged or edited value fails the signature and is ignored).
* Addresses are kept only as a salted SHA-256, enough to spot repeats and floods.
* Targets are same-site paths or URLs on the hosts of ``settings.REFERRAL_ALLOWED_HOSTS``:
  a referral link can never send a visitor to somebody else's site.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

COOKIE_SALT = "partnerhub.referrals.visitor"

_BOT_UA = re.compile(
    r"(?<!cu)bot\b|bot[-/_ ;]|crawl|spider|slurp|archiver|facebookexternalhit|preview|vkshare|whatsapp|"
    r"headless|phantomjs|puppeteer|playwright|selenium|webdriver|lighthouse|pagespeed|"
    r"curl/|wget|python-|httpx|aiohttp|okhttp|go-http-client|java/|libwww|scrapy|httpclient|"
    r"postman|insomnia|feedfetcher|mediapartners|embedly|quora link|outbrain|bitlybot|linkcheck",
    re.IGNORECASE,
)


def is_bot(*, user_agent: str, method: str, headers) -> bool:
    """Whether the request is not a person following the link."""
    if method.upper() == "HEAD":
        return True
    if not user_agent.strip():
        return True
    purpose = f"{headers.get('Sec-Purpose', '')} {headers.get('Purpose', '')} {headers.get('X-Purpose', '')}".lower()
    if "prefetch" in purpose or "preview" in purpose:
        return True
    return bool(_BOT_UA.search(user_agent))


def ip_hash(ip: str | None) -> str:
    if not ip:
        return ""
    salt = settings.REFERRAL_IP_SALT or settings.SECRET_KEY
    return hashlib.sha256(f"{salt}:{ip}".encode()).hexdigest()


def referer_host(referer: str) -> str:
    try:
        return (urlsplit(referer or "").hostname or "")[:200]
    except ValueError:
        return ""


# ---------------------------------------------------------------------------- the visitor cookie


@dataclass(frozen=True)
class Visit:
    visitor_id: uuid.UUID
    click_id: int | None


def make_cookie(*, visitor_id: uuid.UUID, click_id: int | None) -> str:
    return signing.dumps({"v": str(visitor_id), "c": click_id}, salt=COOKIE_SALT, compress=False)


def read_cookie(value: str | None, *, max_age_days: int | None = None) -> Visit | None:
    """The visit behind a cookie value; None when absent, forged, edited, malformed or too old."""
    if not value:
        return None
    try:
        max_age = None if max_age_days is None else max_age_days * 86400
        data = signing.loads(value, salt=COOKIE_SALT, max_age=max_age)
        visitor = uuid.UUID(str(data["v"]))
        click = data.get("c")
        return Visit(visitor_id=visitor, click_id=int(click) if click is not None else None)
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


# ---------------------------------------------------------------------------- link targets


def allowed_hosts() -> set[str]:
    return {h.strip().lower() for h in settings.REFERRAL_ALLOWED_HOSTS if h.strip()}


def clean_target(raw: str) -> str:
    """A same-site path, or an http(s) URL on an allowed vendor host; anything else is refused."""
    value = (raw or "").strip()
    message = _("Use a path on this site (such as /pricing/) or an address on one of the vendor's sites: %(hosts)s.")
    hosts = ", ".join(sorted(allowed_hosts())) or "—"
    refuse = ValidationError({"target": [ValidationError(message % {"hosts": hosts}, code="target_not_allowed")]})
    if not value:
        raise ValidationError({"target": [ValidationError(_("Enter the page the link leads to."), code="required")]})
    if len(value) > 500 or any(ord(ch) < 33 or ch == "\\" for ch in value):
        raise refuse
    if value.startswith("/"):
        if value.startswith("//") or not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
            raise refuse
        return value
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password or not parts.hostname:
        raise refuse
    if parts.netloc.lower() not in allowed_hosts():  # "host" or "host:port", exactly as listed
        raise refuse
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={parts.netloc}):
        raise refuse
    return value


def safe_target(target: str) -> str:
    """The link's target when it is still allowed (settings change); the home page otherwise."""
    try:
        return clean_target(target)
    except ValidationError:
        return "/"

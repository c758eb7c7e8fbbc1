"""The one settings module. Everything that differs between the embedded default and
production comes from environment variables (see README, "Production")."""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_secret, env_str, with_schedules

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("PARTNERHUB_DATA_DIR", str(BASE_DIR / "data")))


def _secret_key() -> str:
    key = env_secret("SECRET_KEY")
    if key:
        return key
    # Embedded default: a random key kept in the data folder, never in the repository.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from our static files (no CDN)
    "partnerhub.core",
    "partnerhub.identity",
    "partnerhub.programmes",
    "partnerhub.enablement",
    "partnerhub.rewards",
    "partnerhub.partners",
    "partnerhub.onboarding",
    "partnerhub.deals",
    "partnerhub.marketplace",
    "partnerhub.referrals",
    "partnerhub.webhooks",
    "partnerhub.leads",
    "partnerhub.incentives",
    "partnerhub.funds",
    "partnerhub.library",
    "partnerhub.support",
    "partnerhub.benefits",
    "partnerhub.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "partnerhub.core.middleware.RefuseNulMiddleware",  # before anything reads input (docs: Errors)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "partnerhub.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partnerhub.portal.navigation.navigation",
            ],
        },
    }
]

# --- Database: SQLite in the data folder by default, anything dj-database-url reads otherwise.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "partnerhub.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: shared by every app process, as login throttling and rate limits count in it.
# Redis when configured; otherwise a table in the database (`manage.py createcachetable`).
# `CACHE_URL=locmem://` keeps it in each process's memory (one process only: `check --deploy` warns).
CACHE_TABLE = "partnerhub_cache"


def caches_from_url(url: str) -> dict:
    if url.startswith("locmem://"):
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if url:
        return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    return {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}}


REDIS_URL = env_str("REDIS_URL", "")
CACHE_URL = env_str("CACHE_URL", REDIS_URL)
CACHES = caches_from_url(CACHE_URL)

# --- Jobs: Celery with Redis in production; without a broker tasks run in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Moscow"
CELERY_BEAT_SCHEDULE: dict = {
    "evaluate-tiers-daily": {
        "task": "partners.evaluate_tiers_daily",
        "schedule": crontab(hour=env_int("TIER_EVALUATION_HOUR", 3), minute=0),
    },
    "deliver-webhooks": {"task": "webhooks.deliver_due", "schedule": crontab(minute="*")},
    "deals-sweep-protection-daily": {"task": "deals.sweep_protection", "schedule": crontab(hour=4, minute=0)},
    "deals-escalate-overdue": {"task": "deals.escalate_overdue", "schedule": crontab(minute="*/15")},
    "leads-expire-offers": {"task": "leads.expire_offers", "schedule": crontab(minute="*/15")},
    "referrals-settle-attributions": {"task": "referrals.settle_attributions", "schedule": crontab(minute=20)},
    # Sales are rated as they arrive; this catches up what waited (a missing rate, tier or enrolment).
    "rewards-rate-pending": {"task": "rewards.rate_pending", "schedule": crontab(minute=40)},
    # Certificates: reminders before expiry, expiries announced to the tiers (idempotent).
    "enablement-sweep-certifications": {
        "task": "enablement.sweep_certifications",
        "schedule": crontab(hour=2, minute=45),
    },
    # Development funds: grant this period's budgets from tiers, close budgets whose period ended.
    "funds-daily": {"task": "funds.daily", "schedule": crontab(hour=2, minute=30)},
    # Support: stamp and announce requests that missed their response or resolution target (idempotent).
    "support-mark-breaches": {"task": "support.mark_breaches", "schedule": crontab(minute="*/5")},
    # Marketplace: provisioning requests due (retries, polls), manual requests past their target.
    "marketplace-provision-due": {"task": "marketplace.provision_due", "schedule": crontab(minute="*")},
    "marketplace-escalate-manual": {"task": "marketplace.escalate_manual", "schedule": crontab(minute="*/15")},
}

# An operator may move a job: JOB_SCHEDULES="deals-sweep-protection-daily=30 2 * * 1-5; deliver-webhooks=20"
# (";"-separated: a name of the schedule above = a crontab "minute hour day month weekday", or seconds).
CELERY_BEAT_SCHEDULE = with_schedules(CELERY_BEAT_SCHEDULE, env_str("JOB_SCHEDULES", "").split(";"))
# A certificate's holder and their administrators are reminded this many days before it expires.
CERTIFICATION_REMINDER_DAYS = env_int("CERTIFICATION_REMINDER_DAYS", 30)
# A webhook delivery a worker claimed but did not finish (the worker died) is sent again after this long.
WEBHOOKS_CLAIM_LEASE_SECONDS = env_int("WEBHOOKS_CLAIM_LEASE_SECONDS", 300)
# The in-process scheduler (embedded default): a run not finished after this long is taken over
# (sooner when its process is known to be gone); a run that failed is retried after the second figure.
SCHEDULER_JOB_TIMEOUT_SECONDS = env_int("SCHEDULER_JOB_TIMEOUT_SECONDS", 2 * 3600)
SCHEDULER_RETRY_SECONDS = env_int("SCHEDULER_RETRY_SECONDS", 300)

# --- Authentication
AUTH_USER_MODEL = "identity.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_THROTTLE_MAX_FAILURES = env_int("LOGIN_THROTTLE_MAX_FAILURES", 5)
LOGIN_THROTTLE_WINDOW_SECONDS = env_int("LOGIN_THROTTLE_WINDOW_SECONDS", 900)
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 7)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Served over HTTPS only (on with SECURE_COOKIES=1): plain-http requests are redirected, and browsers are
# told by HSTS to use HTTPS for a year, subdomains included, and that the site may be preloaded.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain http
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SESSION_COOKIE_SECURE)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SESSION_COOKIE_SECURE)

# --- E-mail: printed to the console by default.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "partnerhub.core.mail.EmailBackend")  # console, decoded
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Partnerhub <noreply@partnerhub.local>")

# --- Internationalisation: Russian first, English second.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "ru")
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Money: one precision for the whole product.
MONEY_MAX_DIGITS = 18
MONEY_DECIMAL_PLACES = 2
DEFAULT_CURRENCY = "RUB"

# --- Static files, served by WhiteNoise in every mode.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"

# Threads (each with its own database connection) a tier run spreads its batches over on PostgreSQL.
TIER_EVALUATION_WORKERS = max(1, env_int("TIER_EVALUATION_WORKERS", 2))

# --- Deal registration: the claim matcher.
# Company names match when rapidfuzz's token-sort ratio of their normalised keys reaches this (0-100).
DEALS_NAME_MATCH_THRESHOLD = env_int("DEALS_NAME_MATCH_THRESHOLD", 90)

# --- Outgoing webhooks (partnerhub/webhooks). https only; plain http just for the loopback host, in development.
WEBHOOKS_ALLOW_HTTP = env_bool("WEBHOOKS_ALLOW_HTTP", False)
# On-premises receivers on the vendor's own network (private addresses); off by default, against SSRF.
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", False)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 10)
# Waits before each retry (seconds): 1 min, 5 min, 30 min, 2 h, 12 h; then the delivery is given up.
WEBHOOKS_RETRY_DELAYS = [int(s) for s in env_list("WEBHOOKS_RETRY_DELAYS", ["60", "300", "1800", "7200", "43200"])]
# Disable an endpoint after this many deliveries in a row were given up (0: never).
WEBHOOKS_DISABLE_AFTER_DEAD = env_int("WEBHOOKS_DISABLE_AFTER_DEAD", 5)
WEBHOOKS_MAX_ENDPOINTS_PER_ORGANISATION = env_int("WEBHOOKS_MAX_ENDPOINTS_PER_ORGANISATION", 10)

# --- Secrets at rest (partnerhub/core/secrets.py): Fernet keys, comma-separated, newest first. The first
# encrypts; all decrypt (rotation). Empty: one key derived from SECRET_KEY with HKDF (the embedded default).
SECRET_ENCRYPTION_KEYS = [k.strip() for k in env_secret("PARTNERHUB_SECRET_KEY_ENCRYPTION").split(",") if k.strip()]

# --- Vendor provisioning APIs (partnerhub/marketplace/provisioning). Vendor base URLs are https; plain http and
# private addresses (an on-premises vendor, the sample service on loopback) only when this is on. Against SSRF.
PROVISIONING_ALLOW_PRIVATE_NETWORKS = env_bool("PROVISIONING_ALLOW_PRIVATE_NETWORKS", DEBUG)
PROVISIONING_TIMEOUT_SECONDS = env_int("PROVISIONING_TIMEOUT_SECONDS", 10)
# Attempts per call (the first included) for timeouts, connection errors and 5xx; waits double from the base.
PROVISIONING_ATTEMPTS = env_int("PROVISIONING_ATTEMPTS", 3)
PROVISIONING_BACKOFF_SECONDS = env_int("PROVISIONING_BACKOFF_SECONDS", 1)

# --- Referral links (partnerhub/referrals).
# Hosts of the vendor's sites a referral link may lead to, besides paths on this site. Nothing else: no open redirect.
REFERRAL_ALLOWED_HOSTS = env_list("REFERRAL_ALLOWED_HOSTS", [])
REFERRAL_COOKIE_NAME = "ph_ref"
REFERRAL_COOKIE_SECURE = env_bool("REFERRAL_COOKIE_SECURE", SESSION_COOKIE_SECURE)
# The attribution window for partners outside any programme with referral terms (programmes set their own).
REFERRAL_DEFAULT_WINDOW_DAYS = env_int("REFERRAL_DEFAULT_WINDOW_DAYS", 90)
# The same visitor on the same link within this many minutes is one click.
REFERRAL_DUPLICATE_MINUTES = env_int("REFERRAL_DUPLICATE_MINUTES", 30)
# Clicks beyond this many per minute from one address are not recorded (the visitor is still redirected).
REFERRAL_CLICKS_PER_MINUTE = env_int("REFERRAL_CLICKS_PER_MINUTE", 60)
# The partner catalogue's filter values (regions, cities, competences, programmes, tiers) are cached this
# long; a partner's own change drops them at once (onboarding.index.forget_facets).
CATALOGUE_FACETS_SECONDS = env_int("CATALOGUE_FACETS_SECONDS", 300)
# Salt of the click addresses' SHA-256 (default: derived from SECRET_KEY).
REFERRAL_IP_SALT = env_secret("REFERRAL_IP_SALT", "")
# The falling-traffic report compares the last period with the one before and flags drops beyond this percent.
REFERRAL_TRAFFIC_PERIOD_DAYS = env_int("REFERRAL_TRAFFIC_PERIOD_DAYS", 30)
REFERRAL_FALLING_THRESHOLD_PERCENT = env_int("REFERRAL_FALLING_THRESHOLD_PERCENT", 50)
# Customer sign-ups accepted from one address per hour.
CUSTOMER_SIGNUPS_PER_HOUR = env_int("CUSTOMER_SIGNUPS_PER_HOUR", 10)

# --- Leads and the public partner locator (partnerhub/leads).
# "Contact this partner" requests accepted from one address per window (seconds).
LEADS_CONTACTS_PER_IP = env_int("LEADS_CONTACTS_PER_IP", 5)
LEADS_CONTACTS_WINDOW_SECONDS = env_int("LEADS_CONTACTS_WINDOW_SECONDS", 3600)

# --- Rewards (partnerhub/rewards): sales imports, exchange rates, rating.
# A sales file stops being read past this many rows (the import is refused, nothing lands).
SALES_IMPORT_MAX_ROWS = env_int("SALES_IMPORT_MAX_ROWS", 50_000)
# The Bank of Russia daily rates (XML_daily); fetched by "import from the URL" when set. Empty: files only.
REWARDS_CBR_URL = env_str("REWARDS_CBR_URL", "")
# A sale on a day without a published rate uses the latest rate at most this many days older
# (weekends, the New Year holidays); older than that, the line is not rated and the error names the currency and date.
REWARDS_FX_MAX_AGE_DAYS = env_int("REWARDS_FX_MAX_AGE_DAYS", 10)
# A rated sale's reward waits on hold until the customer has paid or this many days after the sale date
# (sales without payment information wait the days); a period close releases what no longer waits.
REWARDS_HOLD_DAYS = env_int("REWARDS_HOLD_DAYS", 30)
# The payer of payout runs in the 1C client-bank exchange file (the vendor's own account); empty: left blank.
REWARDS_PAYER_NAME = env_str("REWARDS_PAYER_NAME", "")
REWARDS_PAYER_INN = env_str("REWARDS_PAYER_INN", "")
REWARDS_PAYER_KPP = env_str("REWARDS_PAYER_KPP", "")
REWARDS_PAYER_ACCOUNT = env_str("REWARDS_PAYER_ACCOUNT", "")
REWARDS_PAYER_BANK = env_str("REWARDS_PAYER_BANK", "")
REWARDS_PAYER_BIK = env_str("REWARDS_PAYER_BIK", "")

# --- API
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
API_MAX_PAGE_SIZE = 500

# --- Browser security and uploads (partnerhub/core/uploads.py, docs/architecture.md "Errors" and "Network").
# Content-Security-Policy on every response (django-csp): scripts, styles and everything else from this site
# only, no inline script or style attribute, no framing. Behaviours live in static/js/partnerhub.js.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],  # data: for the icons inside the API docs' stylesheet
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# The largest file any upload accepts (bytes); a larger one is a field error and nothing is stored.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
UPLOAD_IMPORT_MAX_BYTES = env_int("UPLOAD_IMPORT_MAX_BYTES", 20 * 1024 * 1024)  # sales imports (read, not stored)
UPLOAD_YAML_MAX_BYTES = env_int("UPLOAD_YAML_MAX_BYTES", 1024 * 1024)  # programme definitions
UPLOAD_IMAGE_MAX_BYTES = env_int("UPLOAD_IMAGE_MAX_BYTES", 5 * 1024 * 1024)  # marketplace screenshots

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_without_traceback": {"()": "partnerhub.core.logging.ForbiddenWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["forbidden_without_traceback"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}} if not DEBUG else {},
}

if not DEBUG and SECRET_KEY and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")

if WEBHOOKS_CLAIM_LEASE_SECONDS <= WEBHOOKS_TIMEOUT_SECONDS:
    # A delivery still being sent would be claimed and sent again by another worker.
    raise ImproperlyConfigured("WEBHOOKS_CLAIM_LEASE_SECONDS must be longer than WEBHOOKS_TIMEOUT_SECONDS")
# Support response-time targets (working hours: first response, resolution) per tier code, used where the
# vendor has set none for a programme's tier; "" is a partner without a tier. Merged over support/rules.py.
SUPPORT_TARGET_HOURS: dict = {}

# --- Marketplace orders (partnerhub/marketplace/services/provisioning.py).
# A provisioning request through the vendor's API: attempts before the dead letter, the first retry's
# wait (doubling each time), how long a worker's claim keeps a request from others, how often a 202 is polled.
MARKETPLACE_PROVISIONING_MAX_ATTEMPTS = env_int("MARKETPLACE_PROVISIONING_MAX_ATTEMPTS", 5)
MARKETPLACE_PROVISIONING_RETRY_SECONDS = env_int("MARKETPLACE_PROVISIONING_RETRY_SECONDS", 60)
MARKETPLACE_PROVISIONING_LEASE_SECONDS = env_int("MARKETPLACE_PROVISIONING_LEASE_SECONDS", 300)
MARKETPLACE_PROVISIONING_POLL_SECONDS = env_int("MARKETPLACE_PROVISIONING_POLL_SECONDS", 15)
# A manual request's service-level target; past it (and each multiple of it) the request escalates.
MARKETPLACE_MANUAL_SLA_HOURS = env_int("MARKETPLACE_MANUAL_SLA_HOURS", 24)

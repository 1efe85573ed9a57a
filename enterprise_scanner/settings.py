"""Enterprise Scanner settings: one module, driven by environment variables.

Every value has a default that gives a working embedded setup on a laptop (SQLite file, in-memory
channel layer, local-memory cache, console e-mail, tasks stored in the database), so `make run`
needs no server. Production parts are switched on by environment variables only:

    DATABASE_URL   postgres://user:pass@host:5432/name   (psycopg 3 with its connection pool)
    REDIS_URL      redis://host:6379/0                    (Redis cache + channels_redis layer)
    EMAIL_URL      smtp+tls://user:pass@host:587          (any django-environ e-mail URL)
    SECRET_KEY, DEBUG, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, SALES_ALERT_EMAIL, ...

With DEBUG off the process refuses to start on a missing or development secret key, so a
forgotten variable can never ship a forgeable session cookie.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static

from enterprise_scanner import redis_clients
from enterprise_scanner.security_headers import static_file_headers

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# An optional `.env` file beside manage.py; real environment variables win over it.
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------------------------

DEBUG: bool = env.bool("DEBUG", default=False)

#: The key used only when DEBUG is on and no SECRET_KEY is given. Refused in production.
DEVELOPMENT_SECRET_KEY = "django-insecure-enterprise-scanner-development-only"  # noqa: S105
SECRET_KEY: str = env.str("SECRET_KEY", default="")


def _secret_key_problem(key: str) -> str | None:
    """Say why `key` must not sign production sessions, or None when it is acceptable."""
    if not key:
        return "SECRET_KEY is not set"
    if key == DEVELOPMENT_SECRET_KEY or key.startswith("django-insecure"):
        return "SECRET_KEY is the development default"
    if len(key) < 50 or len(set(key)) < 5:
        return "SECRET_KEY is too short or too simple (at least 50 characters, 5 distinct)"
    return None


if DEBUG:
    SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY
elif problem := _secret_key_problem(SECRET_KEY):
    raise ImproperlyConfigured(
        f"{problem}. With DEBUG=False a real secret key is required: "
        "set SECRET_KEY to a random string of 50+ characters "
        "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list(
    "CSRF_TRUSTED_ORIGINS", default=["http://localhost:8000", "http://127.0.0.1:8000"]
)

#: Public base URL used in e-mails (admin links in alerts, report links).
SITE_URL: str = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    # daphne first so that `runserver` serves websockets too.
    "daphne",
    # django-unfold themes the admin: its apps come before django.contrib.admin so that their
    # templates (and those for import-export, filters, forms) win.
    "unfold",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Third-party
    "channels",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "import_export",
    "auditlog",
    "axes",
    "django_tasks",
    # Before django_tasks_db: its `db_worker` (with a heartbeat, see docs/deploy.md) replaces the library's.
    "enterprise_scanner.jobs",
    "django_tasks_db",
    "csp",
    # Optional two-factor sign-in (TOTP) for the partner portal.
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Ours
    "enterprise_scanner.api",
    "enterprise_scanner.alert_channels",
    "enterprise_scanner.webhooks",
    "leads",
    "assessments",
    "chat",
    "analytics",
    "partners",
    "demo",  # seed_demo: loads through the other apps' services, nothing imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A view that finds PostgreSQL or Redis down answers 503 with Retry-After, not 500.
    "enterprise_scanner.availability.ServiceUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files (the kit and widget customers' sites load) need none of these.
    # django-csp, with 'unsafe-eval' on admin pages only (unfold's Alpine.js; see the class).
    "enterprise_scanner.security_headers.AdminAwareCSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "enterprise_scanner.security_headers.CrossOriginResourcePolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # After CORS (so its refusals carry CORS headers), before anything reads input.
    "enterprise_scanner.request_guard.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the partner portal's 2FA step.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "enterprise_scanner.urls"
WSGI_APPLICATION = "enterprise_scanner.wsgi.application"
ASGI_APPLICATION = "enterprise_scanner.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # {{ CSP_NONCE }} for the inline scripts a template needs (see CONTENT_SECURITY_POLICY).
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the task worker writes; IMMEDIATE transactions take the
    # write lock up front, so concurrent writers wait (busy timeout) instead of failing mid-way.
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Keep each thread's connection. Opening one (connect, WAL pragmas, Django's SQL functions)
    # costs more than the queries of a chat message, and Channels' database_sync_to_async closes
    # non-persistent connections around every call: measured, 50 ms against 9 ms per chat message.
    # Under ASGI all database work shares one thread, so this is one connection per process.
    _db["CONN_MAX_AGE"] = None
    # The leads' covering indexes (`include=`) are a PostgreSQL optimisation; SQLite builds them
    # as plain indexes, by design, so its warning about that would only be noise on every command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3's pool; Django requires CONN_MAX_AGE=0 with it, which is also right under ASGI,
    # where persistent per-thread connections would leak across async tasks.
    _db["ENGINE"] = "django.db.backends.postgresql"
    _db["CONN_MAX_AGE"] = 0
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
        "timeout": env.int("DB_POOL_TIMEOUT", default=10),
    }
# SQLite tests use a file, not the in-memory default, so that concurrent requests in tests lock
# and wait exactly as they do in production (shared-cache memory databases fail instead).
_default_test_name = str(BASE_DIR / "test_db.sqlite3") if _db["ENGINE"].endswith("sqlite3") else None
_db.setdefault("TEST", {})["NAME"] = env.str("TEST_DATABASE_NAME", default=_default_test_name)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, channel layer, tasks --------------------------------------------------------------

REDIS_URL: str = env.str("REDIS_URL", default="")

if REDIS_URL:
    # Connection options (timeouts, keepalive, health checks) are explicit: redis-py's default
    # 5 s read timeout closed every idle chat socket (see enterprise_scanner/redis_clients.py).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "es",
            "OPTIONS": redis_clients.cache_options(),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    redis_clients.channel_layer_host(
                        REDIS_URL,
                        max_connections=env.int(
                            "CHANNEL_LAYER_MAX_CONNECTIONS",
                            default=redis_clients.CHANNEL_LAYER_MAX_CONNECTIONS,
                        ),
                    )
                ],
                "prefix": env.str("CHANNELS_PREFIX", default="es"),
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

#: "database" (django-tasks-db, run `manage.py db_worker`) or "immediate" (run in-process; tests).
TASK_BACKEND: str = env.str("TASK_BACKEND", default="database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASK_BACKEND must be one of {sorted(_TASK_BACKENDS)}, not {TASK_BACKEND!r}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASK_BACKEND], "QUEUES": ["default"]}}
#: Seconds a `db_worker` may go without a heartbeat (it beats every quarter of this) before the
#: jobs it was running count as orphaned: /healthz reports them and `recover_stale_jobs` (cron,
#: and every worker at start and once per lease) queues them again.
TASK_LEASE_SECONDS: int = env.int("TASK_LEASE_SECONDS", default=60)
#: Workers that may die running one job before it is marked failed instead of queued again.
TASK_MAX_ATTEMPTS: int = env.int("TASK_MAX_ATTEMPTS", default=3)

# --- E-mail -----------------------------------------------------------------------------------

EMAIL_URL: str = env.str("EMAIL_URL", default="consolemail://")


def _email_file_path(url: str) -> str:
    """The directory of a `filemail://` URL, read the way file URLs are written.

    django-environ drops the first character of the URL's path, so `filemail:///tmp/mail` (as
    the README shows) became the relative `tmp/mail`, under whatever directory the process ran
    in. Here `filemail:///tmp/mail` and `filemail:////tmp/mail` both mean the absolute
    /tmp/mail, and `filemail://var/mail` (no third slash) the relative var/mail."""
    parts = urlsplit(url)
    path = unquote(parts.netloc + parts.path)
    return "/" + path.lstrip("/") if path.startswith("/") else path


vars().update(env.email_url_config(EMAIL_URL))
if EMAIL_URL.startswith("filemail:"):
    EMAIL_FILE_PATH: str = _email_file_path(EMAIL_URL)
DEFAULT_FROM_EMAIL: str = env.str(
    "DEFAULT_FROM_EMAIL", default="Enterprise Scanner <noreply@enterprisescanner.com>"
)
SERVER_EMAIL: str = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
#: Contact for vulnerability reports, published in /.well-known/security.txt (RFC 9116).
SECURITY_CONTACT: str = env.str("SECURITY_CONTACT", default="mailto:security@enterprisescanner.com")
#: Where hot-lead and escalation alerts go.
SALES_ALERT_EMAIL: str = env.str("SALES_ALERT_EMAIL", default="sales@enterprisescanner.com")
#: Nurture e-mail (leads.nurture): the most e-mails one `send_nurture` run sends (cron runs it every
#: minute, so this is the rate per minute), how long an unsubscribe link stays valid (seconds), and
#: the address of the `mailto:` in List-Unsubscribe (mail to it is handled by whoever reads it).
NURTURE_MAX_PER_RUN: int = env.int("NURTURE_MAX_PER_RUN", default=200)
# Sends in a row the mail server may refuse (5xx, e.g. "550 no such user") before an enrolment
# stops as undeliverable; outages and 4xx are retried every 15 minutes without counting.
NURTURE_MAX_SEND_FAILURES: int = env.int("NURTURE_MAX_SEND_FAILURES", default=5)
NURTURE_UNSUBSCRIBE_MAX_AGE: int = env.int("NURTURE_UNSUBSCRIBE_MAX_AGE", default=3 * 365 * 24 * 3600)
NURTURE_UNSUBSCRIBE_MAILTO: str = env.str(
    "NURTURE_UNSUBSCRIBE_MAILTO", default="unsubscribe@enterprisescanner.com"
)

# --- Auth and passwords -----------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

#: Signing in at /admin/login/ itself (no ?next=) lands on the CRM home: unfold's login form,
#: unlike the stock admin's, sends no `next` field, so Django's default (/accounts/profile/, a 404)
#: applied.
LOGIN_REDIRECT_URL = "admin:index"

# django-axes: lock an account+IP pair out of the admin after repeated failures.
AXES_FAILURE_LIMIT: int = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME: float = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
#: The one client-IP rule (NUM_PROXIES), so a forged X-Forwarded-For cannot lock out someone else.
AXES_CLIENT_IP_CALLABLE = "enterprise_scanner.client_ip.client_ip"

# Partner portal (partners/portal): invitations are valid this long; the TOTP devices partners
# enrol are named after the site in authenticator apps; their secrets are hidden in the admin.
PARTNER_INVITE_DAYS: int = env.int("PARTNER_INVITE_DAYS", default=7)
OTP_TOTP_ISSUER = "Enterprise Scanner partners"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE: str = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files -------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
#: Hashed, compressed static files (needs `collectstatic`); off in development and tests.
STATIC_MANIFEST: bool = env.bool("STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (development, tests), WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security headers (production) ------------------------------------------------------------

SECURE_SSL_REDIRECT: bool = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
#: Reverse proxies in front of daphne (nginx: 1). Forwarding headers are trusted only when this is
#: above 0: the client IP (throttles, lockout, analytics) is then the NUM_PROXIES-th
#: X-Forwarded-For entry from the right (enterprise_scanner/client_ip.py), and X-Forwarded-Proto
#: says whether the request came over HTTPS. With 0 a client could forge both.
NUM_PROXIES: int = env.int("NUM_PROXIES", default=0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured("NUM_PROXIES must be 0 (no proxy in front) or the number of proxies.")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if NUM_PROXIES else None
SECURE_HSTS_SECONDS: int = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE: bool = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE: bool = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
#: /healthz is probed by load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
#: Where the plain-HTTP redirect goes when it is not the request's own host (e.g. "example.com"
#: or a non-default port); empty: the same host. Usually nginx redirects before Django sees it.
SECURE_SSL_HOST: str | None = env.str("SECURE_SSL_HOST", default="") or None
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
#: Static files (the website kit and chat widget embedded by customers' sites) say
#: Cross-Origin-Resource-Policy: cross-origin; everything else same-origin (security_headers.py).
WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers


def _websocket_origin(url: str) -> str:
    """SITE_URL's origin with the websocket scheme (wss:// for https://), for connect-src."""
    parts = urlsplit(url)
    return f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"


#: Content-Security-Policy (django-csp 4). Nothing inline runs unless it carries the request's
#: nonce ({{ CSP_NONCE }} / request.csp_nonce); no 'unsafe-inline' for scripts, and no 'unsafe-eval'
#: outside the admin (AdminAwareCSPMiddleware: unfold's Alpine.js needs it there).
#: Styles allow 'unsafe-inline': the admin's and our templates' style="" attributes need it, and
#: a style cannot run code. 'self' covers same-origin websockets in current browsers; SITE_URL's
#: ws(s) origin is listed too for older ones. CSP_EXTRA_CONNECT_SRC adds origins (e.g. a CDN).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF, _websocket_origin(SITE_URL), *env.list("CSP_EXTRA_CONNECT_SRC", default=[])],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "upgrade-insecure-requests": not DEBUG,
    },
}
#: Permissions-Policy (django-permissions-policy): no page of ours uses any of these features,
#: so none may be used by it or anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Admin theme (django-unfold) ---------------------------------------------------------------

#: The admin is the CRM. The sidebar is shaped by role (enterprise_scanner.admin_navigation); the
#: home page is the sales dashboard (templates/admin/index.html); workspace.css holds the few
#: styles of our own (chips, truncated cells, dashboard cards), written for light and dark mode.
UNFOLD = {
    "SITE_TITLE": "Enterprise Scanner",
    "SITE_HEADER": "Enterprise Scanner",
    "SITE_SUBHEADER": "Sales CRM",
    "SITE_SYMBOL": "shield_lock",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": False,
    "DASHBOARD_CALLBACK": "leads.dashboard.dashboard_callback",
    "STYLES": [lambda request: static("leads/admin/workspace.css")],
    "SIDEBAR": {
        "show_search": False,
        "command_search": False,
        "show_all_applications": False,
        "navigation": "enterprise_scanner.admin_navigation.sidebar_navigation",
    },
}

# --- API --------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["enterprise_scanner.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "enterprise_scanner.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "enterprise_scanner.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "enterprise_scanner.api.exceptions.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "enterprise_scanner.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_THROTTLE_RATES": {
        "site_ip": env.str("THROTTLE_SITE_IP", default="30/min"),
        # One website's budget, all its visitors' tracker events, forms and ROI calls together: a
        # flood guard per customer, not per person (that is site_ip). 600/min was used up by ~50
        # concurrent visitors in the mixed-load soak (bench/soak_mixed.py).
        "site_key": env.str("THROTTLE_SITE_KEY", default="6000/min"),
        "status_ip": env.str("THROTTLE_STATUS_IP", default="120/min"),
        # Tracker event batches (analytics app): one per page view, so a budget of their own.
        "events_ip": env.str("THROTTLE_EVENTS_IP", default="120/min"),
        "api_key": env.str("THROTTLE_API_KEY", default="1200/min"),
    },
    # Our throttles ask enterprise_scanner.client_ip; DRF's own get_ident gets the same count, so
    # a throttle added without it still trusts no header by default (DRF's None trusts them all).
    "NUM_PROXIES": NUM_PROXIES,
}
# Wrong secret API keys allowed per client IP before every key from it is refused with 429
# (issue 8: key guessing is throttled; authentication runs before DRF's own throttles).
THROTTLE_API_KEY_FAILURES: str = env.str("THROTTLE_API_KEY_FAILURES", default="10/hour")

SPECTACULAR_SETTINGS = {
    "TITLE": "Enterprise Scanner API",
    "DESCRIPTION": "Lead intake, analytics, assessments and partner integrations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # OpenAPI links (create lead → get / update it …), for clients and stateful schemathesis.
        "enterprise_scanner.api.schema.add_links",
    ],
}

# Cross-origin requests are allowed only from origins some Website lists; the site-key check
# in the API then ties each request to the origins of its own key.
CORS_URLS_REGEX = r"^/api/v1/.*$"
CORS_ALLOW_HEADERS = ["accept", "content-type", "x-site-key", "x-requested-with", "idempotency-key"]

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- django-import-export (leads/companies import and export; see leads.resources) -----------

#: Exported cells starting with "=" lose it, on top of the resources' own OWASP escaping
#: (leads.resources.spreadsheet_safe), so no export opens as a live formula.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
#: Control characters that XLSX cannot hold become U+FFFD instead of failing the export.
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
#: Each import runs in a transaction: the admin's preview is a rolled-back real run.
IMPORT_EXPORT_USE_TRANSACTIONS = True
#: No admin LogEntry per imported row (slow for big files): the lead timeline records imports.
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
#: XLSX rows whose cells are all empty are not rows.
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
#: Importing needs the model's "add" permission (reps: leads; managers: leads and companies),
#: exporting its "view" permission; rows are then scoped by leads.selectors.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
#: Rows fetched per round trip when exporting.
IMPORT_EXPORT_CHUNK_SIZE = 2000

# --- Outbound HTTP (webhooks, Slack / Teams alerts): enterprise_scanner/outbound.py -------------

#: Let outbound calls reach loopback/private addresses and plain http. Tests and local
#: development only (their receivers listen on 127.0.0.1); production refuses both.
OUTBOUND_ALLOW_PRIVATE_TARGETS: bool = env.bool("OUTBOUND_ALLOW_PRIVATE_TARGETS", default=False)
#: Seconds to connect and to read a receiver's answer.
OUTBOUND_TIMEOUT_SECONDS: float = env.float("OUTBOUND_TIMEOUT_SECONDS", default=10.0)

# --- Security assessments (assessments app) ---------------------------------------------------

#: Let the scanner fetch loopback/private addresses and any port. Only the test suite's local
#: servers need this; in production the scanner reaches public web servers on 80/443 only.
ASSESSMENT_ALLOW_PRIVATE_TARGETS: bool = env.bool("ASSESSMENT_ALLOW_PRIVATE_TARGETS", default=False)
ASSESSMENT_ALLOWED_PORTS: list[int] = [80, 443]
#: Ports the scan uses for a target's http:// and https:// sides (a port in the URL wins).
ASSESSMENT_HTTP_PORT: int = 80
ASSESSMENT_HTTPS_PORT: int = 443
#: Seconds per connect/read, bytes read per response at most.
ASSESSMENT_TIMEOUT_SECONDS: float = env.float("ASSESSMENT_TIMEOUT_SECONDS", default=10.0)
ASSESSMENT_MAX_RESPONSE_BYTES: int = env.int("ASSESSMENT_MAX_RESPONSE_BYTES", default=2 * 1024 * 1024)
ASSESSMENT_USER_AGENT: str = env.str(
    "ASSESSMENT_USER_AGENT",
    default="EnterpriseScanner-Assessment/1.0 (passive security check; +https://www.enterprisescanner.com/scanner)",
)
#: TLS handshakes of one scan run at once (protocol versions, cipher families, chain): at most this many.
ASSESSMENT_TLS_CONCURRENCY: int = env.int("ASSESSMENT_TLS_CONCURRENCY", default=8)
#: CA bundle the scanner trusts instead of the system store (tests: a trustme CA). Empty: system.
ASSESSMENT_CA_BUNDLE: str = env.str("ASSESSMENT_CA_BUNDLE", default="")
#: Registrable domains treated as HSTS-preloaded (the browsers' list itself is not shipped).
ASSESSMENT_HSTS_PRELOADED_DOMAINS: list[str] = env.list("ASSESSMENT_HSTS_PRELOADED_DOMAINS", default=[])
#: At most this many assessment requests per target registrable domain (all its hosts) per hour.
ASSESSMENT_DOMAIN_RATE_LIMIT_PER_HOUR: int = env.int("ASSESSMENT_DOMAIN_RATE_LIMIT_PER_HOUR", default=3)
#: Scan attempts before an assessment fails for good (network errors are retried with back-off).
ASSESSMENT_MAX_ATTEMPTS: int = env.int("ASSESSMENT_MAX_ATTEMPTS", default=3)
ASSESSMENT_RETRY_DELAY_SECONDS: int = env.int("ASSESSMENT_RETRY_DELAY_SECONDS", default=60)
#: A scan "running" for longer than this is taken to have died with its worker.
ASSESSMENT_STALE_AFTER_SECONDS: int = env.int("ASSESSMENT_STALE_AFTER_SECONDS", default=15 * 60)
#: DNS resolvers for the DNS and e-mail security checks, as `IP` or `IP:port` (`[IPv6]:port`),
#: comma-separated. Empty: the system's resolvers (/etc/resolv.conf). A validating resolver
#: (one that sets the AD flag) also lets the report say whether DNSSEC validated for it.
ASSESSMENT_DNS_RESOLVERS: list[str] = env.list("ASSESSMENT_DNS_RESOLVERS", default=[])
#: Seconds one DNS lookup may take in all (every resolver and retry); a slower answer is
#: reported as "could not check", never as a failed scan.
ASSESSMENT_DNS_TIMEOUT_SECONDS: float = env.float("ASSESSMENT_DNS_TIMEOUT_SECONDS", default=4.0)
#: Watched targets (monitoring): the default days between scheduled re-scans of a target (each
#: target may set its own), and how many due targets one `rescan_watched_targets` run queues.
ASSESSMENT_MONITOR_INTERVAL_DAYS: int = env.int("ASSESSMENT_MONITOR_INTERVAL_DAYS", default=7)
ASSESSMENT_MONITOR_BATCH_SIZE: int = env.int("ASSESSMENT_MONITOR_BATCH_SIZE", default=100)

# --- Live chat (chat app; protocol in docs/chat-protocol.md) ------------------------------------

#: Longest visitor or agent message, in characters.
CHAT_MESSAGE_MAX_LENGTH: int = env.int("CHAT_MESSAGE_MAX_LENGTH", default=2000)
#: Messages one visitor socket may send per minute (further ones get a `rate_limited` error).
CHAT_MESSAGES_PER_MINUTE: int = env.int("CHAT_MESSAGES_PER_MINUTE", default=20)
#: Largest websocket frame accepted, in bytes (larger ones get a `frame_too_large` error).
CHAT_MAX_FRAME_BYTES: int = env.int("CHAT_MAX_FRAME_BYTES", default=16384)
#: An agent console counts as online this long after its last heartbeat (it sends one every 30 s).
CHAT_AGENT_ONLINE_SECONDS: int = env.int("CHAT_AGENT_ONLINE_SECONDS", default=90)
#: Optional booking page (e.g. a Calendly or HubSpot meetings link) the bot offers a visitor who
#: asked for a demo, call, quote or trial, after it has taken their details. Must be https://.
CHAT_MEETING_URL: str = env.str("CHAT_MEETING_URL", default="")
if CHAT_MEETING_URL and not CHAT_MEETING_URL.startswith("https://"):
    raise ImproperlyConfigured("CHAT_MEETING_URL must be an https:// address.")
#: On PostgreSQL, the chat sockets' database work runs on this many threads of their own, each
#: with a connection from the psycopg pool, so commits of different conversations overlap (their
#: WAL flushes are shared) instead of queueing on one thread. It must stay below DB_POOL_MAX_SIZE:
#: views and jobs need connections too. 1 keeps Channels' single database thread (SQLite always
#: does: it has one writer). See chat/service_calls.py.
CHAT_DB_THREADS: int = env.int("CHAT_DB_THREADS", default=4)
if (
    _db["ENGINE"] == "django.db.backends.postgresql"
    and not 1 <= CHAT_DB_THREADS < _db["OPTIONS"]["pool"]["max_size"]
):
    raise ImproperlyConfigured("CHAT_DB_THREADS must be at least 1 and below DB_POOL_MAX_SIZE.")
#: Optional OpenAI-compatible endpoint that phrases the bot's answers (all three must be set).
LLM_BASE_URL: str = env.str("LLM_BASE_URL", default="")
LLM_API_KEY: str = env.str("LLM_API_KEY", default="")
LLM_MODEL: str = env.str("LLM_MODEL", default="")
LLM_TIMEOUT: float = env.float("LLM_TIMEOUT", default=8.0)

# --- Visitor analytics (analytics app) and website kit -----------------------------------------

#: Store visitors' full IP addresses. Off by default: the last octet (IPv4) or last 80 bits
#: (IPv6) are zeroed before anything is stored or matched against imported company IP ranges.
ANALYTICS_STORE_FULL_IP: bool = env.bool("ANALYTICS_STORE_FULL_IP", default=False)
#: Largest `data` object of one event, in bytes of JSON (larger events are rejected per item).
ANALYTICS_EVENT_DATA_MAX_BYTES: int = env.int("ANALYTICS_EVENT_DATA_MAX_BYTES", default=2048)
#: Most events accepted in one batch.
ANALYTICS_BATCH_MAX_EVENTS: int = env.int("ANALYTICS_BATCH_MAX_EVENTS", default=50)

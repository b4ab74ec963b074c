"""Settings, all from the environment (see the README's configuration table).

Every reader in config.env fails loudly, naming the variable, on a bad value.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    owner_database,
    parse_database_url,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("OVERSIGHT_VAR_DIR", str(BASE_DIR / "var")))

TESTING = "pytest" in sys.modules or env_bool("OVERSIGHT_TESTING", False)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
if not DEBUG and not TESTING and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters when DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # audits first: its `flush` command (kept for tests) shadows Django's.
    "audits",
    "oversight",
    "watchlists",
    "recognition",
    "office",
    # The public transparency register (R23): on top, reading the office's records.
    "transparency",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by whitenoise like ours
    "guardian",
    # Login security: second factor (TOTP and recovery codes), lockout, CSP.
    "accounts",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
]

MIDDLEWARE = [
    # Outermost: an error under /api/ answers JSON in both modes, even where DEBUG makes Django answer HTML.
    "config.middleware.ApiErrorsAsJsonMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: a request larger than any accepted upload is refused unread (413).
    "config.middleware.RequestSizeLimitMiddleware",
    # Static files answer here, before sessions and users are loaded.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything else so redirects and refusals of the inner layers are not cached either.
    "accounts.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before everything that writes words: picks the language of the request.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a lockout into its page.
    "axes.middleware.AxesMiddleware",
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
            ],
        },
    },
]

# Database: DATABASE_URL (postgres:// through psycopg 3), else an embedded SQLite file.
# The embedded defaults (SQLite, kombu's filesystem broker) are for a local run: with DEBUG off a system check
# (oversight.E010, E011) refuses them unless ALLOW_EMBEDDED_DEFAULTS opts in.
ALLOW_EMBEDDED_DEFAULTS = env_bool("ALLOW_EMBEDDED_DEFAULTS", False)
EMBEDDED_DEFAULTS: set[str] = set()
_database_url = env_str("DATABASE_URL")
if not _database_url:
    EMBEDDED_DEFAULTS.add("DATABASE_URL")
if _database_url:
    DATABASES = {"default": parse_database_url("DATABASE_URL", _database_url, base_dir=BASE_DIR)}
else:
    DATABASES = {"default": sqlite_database(VAR_DIR / "oversight.sqlite3")}
# Two roles in production (audits.triggers): DATABASE_URL is the application's (`oversight_app`: reads, appends to
# the trail only through audits_append()), DATABASE_OWNER_URL the owner's, for the migrations (run as
# `DATABASE_URL=$DATABASE_OWNER_URL manage.py migrate`, scripts/run.sh) and the audit trail's retention cut, which
# runs its own transaction on this connection (alias "owner"). Unset (tests, local
# runs): the one connection is the owner's and does both. With DEBUG off the web and the workers refuse to start
# when DATABASE_URL connects as the owner of the trail (audits.checks.refuse_owner_connection).
_database_owner_url = env_str("DATABASE_OWNER_URL")
if _database_owner_url:
    DATABASES["owner"] = owner_database(
        parse_database_url("DATABASE_OWNER_URL", _database_owner_url, base_dir=BASE_DIR), DATABASES["default"]
    )
AUDIT_OWNER_DATABASE = "owner" if _database_owner_url else "default"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "oversight.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses an address that used up its failed sign-ins (accounts.throttle), before any hashing.
    "accounts.backends.AddressThrottleBackend",
    # Then: refuses a username locked for this address before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object; outsiders get nothing
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Time: stored in UTC, shown in the display zone.
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Prague")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except Exception:  # noqa: BLE001 - any failure means the name is unusable
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not a known time zone") from None
# Languages: Czech by default for the Prague pilot, English on request. Each user's choice (the switch on every
# page) is kept in a cookie; LocaleMiddleware reads it, then the browser's Accept-Language, then LANGUAGE_CODE.
USE_I18N = True
LANGUAGES = [("cs", "Čeština"), ("en", "English")]
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "cs")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"LANGUAGE_CODE={LANGUAGE_CODE!r} is not offered: choose one of {', '.join(dict(LANGUAGES))}"
    )
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, times and numbers in the active language's formats (config/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
LANGUAGE_COOKIE_NAME = "oversight_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# whitenoise serves the collected files (scripts/run.sh runs collectstatic) with hashed names.
# Tests render templates without collecting, so they use the plain storage.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = None  # media is never served directly: every read goes through a permission-checked view

# Security defaults that hold in production; DEBUG relaxes only what needs https.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not TESTING)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto; then redirect plain http and send HSTS.
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# ---------------------------------------------------------------- sign-in security (accounts)
# Sessions end after this long without a request, and this long after signing in whatever happens
# (accounts.middleware.SessionTimeoutMiddleware); the cookie never outlives the browser.
if env_str("SESSION_COOKIE_AGE") is not None:
    raise ImproperlyConfigured("SESSION_COOKIE_AGE is replaced by SESSION_ABSOLUTE_TIMEOUT_HOURS")
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1, maximum=24 * 60)
SESSION_ABSOLUTE_TIMEOUT_HOURS = env_int("SESSION_ABSOLUTE_TIMEOUT_HOURS", 10, minimum=1, maximum=24)
if SESSION_IDLE_TIMEOUT_MINUTES > SESSION_ABSOLUTE_TIMEOUT_HOURS * 60:
    raise ImproperlyConfigured("SESSION_IDLE_TIMEOUT_MINUTES must not exceed SESSION_ABSOLUTE_TIMEOUT_HOURS")
# R17: images a page shows carry a token proving the page already recorded their consultation;
# it is bound to the user and the object, and lapses after this many seconds.
CONSULTATION_TOKEN_SECONDS = env_int("CONSULTATION_TOKEN_SECONDS", 300, minimum=10, maximum=3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Enrolment codes (accounts.enrolment): how long a code an administrator issued stays usable.
ENROLMENT_CODE_HOURS = env_int("ENROLMENT_CODE_HOURS", 72, minimum=1, maximum=30 * 24)
# Second factor (django-otp): the name authenticator apps show next to the account.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Facial recognition oversight")
# Password guessing (django-axes): this many failures for one username FROM ONE ADDRESS lock that pair for a while.
# The address is part of the key, so nobody can lock a person out from somewhere else; guessing across usernames
# from one address is stopped by the address throttle (accounts.throttle), before any password is hashed.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address axes and the throttle see: REMOTE_ADDR only (a forwarded header is the client's to invent).
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# Failed sign-ins one address may make across all usernames per LOGIN_LOCKOUT_MINUTES window; it also bounds
# what an unauthenticated client can add to the audit trail (accounts.throttle.events_per_address_window_bound).
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=AXES_FAILURE_LIMIT, maximum=1000)
AXES_RESET_ON_SUCCESS = True
# A lock lasts LOGIN_LOCKOUT_MINUTES from the failure that set it: attempts while locked (refused
# and recorded) do not prolong it, so the page can tell a person how long to wait.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Sign-ins are already in the audit trail (audits.signals); no second copy in axes' own log.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Content-Security-Policy (django-csp): same-origin only, no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Cache: Redis when configured (shared by web and workers), else local memory.
_redis_cache_url = env_str("CACHE_URL")
if _redis_cache_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_cache_url}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis when CELERY_BROKER_URL is set; otherwise kombu's filesystem
# transport, so a real worker process can still run beside the web process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
if not CELERY_BROKER_URL and TESTING:
    CELERY_BROKER_URL = "memory://"  # tests run tasks by calling them; queued ones stay in memory
if not CELERY_BROKER_URL:
    EMBEDDED_DEFAULTS.add("CELERY_BROKER_URL")
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
elif not CELERY_BROKER_URL.startswith(("redis://", "rediss://", "memory://")):
    raise ImproperlyConfigured("CELERY_BROKER_URL must be a redis:// or rediss:// URL")
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 60, minimum=10)}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Scans hold a worker process for a whole segment; they get a queue (and workers) of their own,
# so encodings, the dispatcher and expiry never wait behind them.
CELERY_TASK_ROUTES = {
    "recognition.scan_camera": {"queue": "scans"},
    # R24: analysing a recording runs the engine like a scan, on the scan workers.
    "recognition.recording_analyse": {"queue": "scans"},
    "recognition.recording_check": {"queue": "scans"},
}
# Periodic tasks (Celery beat). Keys are stable names; other apps add their own entries.
CELERY_BEAT_SCHEDULE = {
    # Keeps case statuses true (approved -> expired, urgent -> expired at 24 h, R9);
    # the gate itself never waits for it.
    "oversight-cases-expire-due": {"task": "oversight.cases_expire_due", "schedule": 60.0},
    # R17: one event per address and closed window for failed sign-ins with unknown names (accounts.throttle).
    "accounts-sign-in-windows-record": {"task": "accounts.sign_in_windows_record", "schedule": 60.0},
}

# REST framework and its schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "config.api.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "config.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Facial recognition oversight API",
    "DESCRIPTION": "Cases, decisions, watchlists, scans, alerts and the audit trail.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The API explorer's scripts, styles and icon from the project's own static files: no CDN in the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Separate request and response components: an upload is a file (format binary) in a request, not a URI.
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema maps a police system's surface: signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Several models have a `status` field; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "oversight.models.CaseStatus",
        "CaseAuthorityEnum": "oversight.models.CaseAuthority",
    },
}

# ---------------------------------------------------------------- audit trail
# Ed25519 key that signs checkpoints (R16-R18). `manage.py audits_keygen` creates one.
AUDIT_SIGNING_KEY_FILE = env_str("AUDIT_SIGNING_KEY_FILE", str(VAR_DIR / "keys" / "audit_signing_ed25519.pem"))
# Public key used by audits_verify; derived from the signing key when unset.
AUDIT_VERIFY_KEY_FILE = env_str("AUDIT_VERIFY_KEY_FILE")
# R18: logs are kept at least 6 months; the upper limit is configurable.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 3 * 365, minimum=183)
# Retention cuts archive the removed prefix here first; background exports are written here.
AUDIT_ARCHIVE_DIR = Path(env_str("AUDIT_ARCHIVE_DIR", str(VAR_DIR / "audit-archive")))
AUDIT_EXPORT_DIR = Path(env_str("AUDIT_EXPORT_DIR", str(VAR_DIR / "audit-exports")))
# The data protection office's copies of each checkpoint and cut (a store the platform may only add to).
OFFICE_WITNESS_DIR = env_str("OFFICE_WITNESS_DIR", "")
OFFICE_WITNESS_DELIVER = env_str("OFFICE_WITNESS_DELIVER", "")  # default: copy files into OFFICE_WITNESS_DIR
# Checkpoints keep the unprotected tail short: one is signed (and delivered to the office) when the last is this old,
# or this many events arrived since, whichever comes first; the scheduler asks every minute.
AUDIT_CHECKPOINT_SECONDS = env_int("AUDIT_CHECKPOINT_SECONDS", 300, minimum=60, maximum=300)
AUDIT_CHECKPOINT_EVENTS = env_int("AUDIT_CHECKPOINT_EVENTS", 10_000, minimum=100)
CELERY_BEAT_SCHEDULE["audits-checkpoint-due"] = {
    "task": "audits.checkpoint_due",
    "schedule": 60.0,
    "options": {"expires": 60},
}
# `manage.py flush` may wipe the audit table only in test runs.
AUDIT_ALLOW_FLUSH = TESTING

# ---------------------------------------------------------------- cases (R1-R13)
CASE_MAX_DURATION_HOURS = env_int("CASE_MAX_DURATION_HOURS", 72, minimum=1)
CASE_MAX_CAMERAS = env_int("CASE_MAX_CAMERAS", 5, minimum=1)
CASE_URGENCY_HOURS = env_int("CASE_URGENCY_HOURS", 24, minimum=1, maximum=24)
# R24 (AI Act Art. 26(10)): an urgent post-event search must have its authorisation requested within 48 hours.
POST_EVENT_URGENCY_HOURS = env_int("POST_EVENT_URGENCY_HOURS", 48, minimum=1, maximum=48)
COMMISSION_QUORUM = env_int("COMMISSION_QUORUM", 3, minimum=1)
# Share of votes in favour needed, strictly more than this fraction (0.5 = simple majority).
COMMISSION_MAJORITY = env_float("COMMISSION_MAJORITY", 0.5, minimum=0.5, maximum=1.0)
# R13: distances are Euclidean between dlib encodings; lower is stricter.
# The platform's default and the strictest-permissible floor come from
# benchmarks/threshold_bench.py (see README); a case cannot be laxer than the floor.
MATCH_THRESHOLD_DEFAULT = env_float("MATCH_THRESHOLD_DEFAULT", 0.50, minimum=0.1, maximum=1.0)
MATCH_THRESHOLD_MAX = env_float("MATCH_THRESHOLD_MAX", 0.50, minimum=0.1, maximum=1.0)
if MATCH_THRESHOLD_DEFAULT > MATCH_THRESHOLD_MAX:
    raise ImproperlyConfigured("MATCH_THRESHOLD_DEFAULT must not exceed MATCH_THRESHOLD_MAX")
CASE_UNIT_VISIBILITY = env_bool("CASE_UNIT_VISIBILITY", False)

# ---------------------------------------------------------------- watchlists (R12)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
UPLOAD_MAX_PIXELS = env_int("UPLOAD_MAX_PIXELS", 40_000_000, minimum=10_000)
FACE_MIN_SIZE_PX = env_int("FACE_MIN_SIZE_PX", 80, minimum=20)
# AES-256-GCM key for photos, encodings and alert crops (R12).
DATA_KEY_FILE = env_str("DATA_KEY_FILE", str(VAR_DIR / "keys" / "data_aes256.key"))
WATCHLIST_RETENTION_HOURS_AFTER_END = env_int("WATCHLIST_RETENTION_HOURS_AFTER_END", 0, minimum=0)
# ---------------------------------------------------------------- retention schedule (R9, R12, R19, R21)
# Periods of the schedule's rules (office.services.retention.SCHEDULE: each rule names its setting and its legal
# bounds; start-up check oversight.E020 refuses a value outside them). Clocks start where each rule says.
RETENTION_REJECTED_ALERT_DAYS = env_int("RETENTION_REJECTED_ALERT_DAYS", 7, minimum=0)
RETENTION_UNREVIEWED_ALERT_DAYS = env_int("RETENTION_UNREVIEWED_ALERT_DAYS", 30, minimum=0)
RETENTION_UNDER_REVIEW_MAX_DAYS = env_int("RETENTION_UNDER_REVIEW_MAX_DAYS", 90, minimum=0)
RETENTION_VERIFIED_ALERT_DAYS = env_int("RETENTION_VERIFIED_ALERT_DAYS", 180, minimum=0)
RETENTION_PERSON_DAYS = env_int("RETENTION_PERSON_DAYS", 180, minimum=0)
RETENTION_CASE_TEXT_DAYS = env_int("RETENTION_CASE_TEXT_DAYS", 365, minimum=0)
RETENTION_SCAN_DAYS = env_int("RETENTION_SCAN_DAYS", 365, minimum=0)
# R19: completed data-subject requests (name, words, decisions) and audit export files with their job rows.
RETENTION_SUBJECT_REQUEST_DAYS = env_int("RETENTION_SUBJECT_REQUEST_DAYS", 3 * 365, minimum=0)
RETENTION_EXPORT_DAYS = env_int("RETENTION_EXPORT_DAYS", 30, minimum=0)
# Rows one rule takes in one run (one transaction); the beat runs every RETENTION_RUN_SECONDS.
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 5000, minimum=1, maximum=100_000)
RETENTION_RUN_SECONDS = env_int("RETENTION_RUN_SECONDS", 300, minimum=10)
# The office applies every app's rules (the entry was "oversight-retention-apply" before the office had an app).
CELERY_BEAT_SCHEDULE["office-retention-apply"] = {
    "task": "office.retention_apply",
    "schedule": float(RETENTION_RUN_SECONDS),
    "options": {"expires": RETENTION_RUN_SECONDS},
}
# The largest request: one upload and its form. Larger ones are refused before their body is read
# (config.middleware.RequestSizeLimitMiddleware); files above 2.5 MB are spooled to disk, never held in memory whole.
REQUEST_MAX_BYTES = UPLOAD_MAX_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# ---------------------------------------------------------------- recordings for post-event searches (R24)
# Recordings arrive in chunks of at most RECORDING_CHUNK_BYTES (each one request, under REQUEST_MAX_BYTES: start-up
# check recognition.E010), are encrypted chunk by chunk into RECORDING_DIR and may total RECORDING_MAX_BYTES.
RECORDING_DIR = Path(env_str("RECORDING_DIR", str(VAR_DIR / "recordings")))
RECORDING_MAX_BYTES = env_int("RECORDING_MAX_BYTES", 8 * 1024**3, minimum=1024 * 1024)
RECORDING_CHUNK_BYTES = env_int("RECORDING_CHUNK_BYTES", 4 * 1024 * 1024, minimum=64 * 1024)
# Capture time analysed per batch of a recording; the gate is asked before each (revocation stops it within one).
RECORDING_BATCH_SECONDS = env_float("RECORDING_BATCH_SECONDS", 5.0, minimum=0.5, maximum=60.0)
# A recording whose file metadata gives its start may differ from a declared start by at most this much.
# R19: recordings' footage is destroyed this long after the case's end (retention rule recognition.recordings).
RECORDING_RETENTION_HOURS_AFTER_END = env_int("RECORDING_RETENTION_HOURS_AFTER_END", 0, minimum=0)
RECORDING_CLOCK_TOLERANCE_SECONDS = env_int("RECORDING_CLOCK_TOLERANCE_SECONDS", 120, minimum=0, maximum=3600)

# ---------------------------------------------------------------- recognition (R10, R11)
RECOGNITION_SAMPLE_FPS = env_float("RECOGNITION_SAMPLE_FPS", 5.0, minimum=0.1, maximum=60)
# Faces are found by YuNet on a copy of each sampled frame at most this wide, but never reduced so far that a face of
# RECOGNITION_MIN_FACE_PX measures under 16 px in it (recognition.engine.detect_scale): full HD goes to 640x360.
RECOGNITION_DETECT_WIDTH = env_int("RECOGNITION_DETECT_WIDTH", 640, minimum=320, maximum=4096)
# Faces narrower than this are tracked and counted ("too small") but never encoded or matched: under about 50 px
# no threshold keeps false alerts away (R13; benchmarks/threshold_bench.py). Start-up check recognition.E004/W004.
RECOGNITION_MIN_FACE_PX = env_int("RECOGNITION_MIN_FACE_PX", 50, minimum=20, maximum=400)
RECOGNITION_BATCH_SECONDS = env_float("RECOGNITION_BATCH_SECONDS", 0.5, minimum=0.05, maximum=0.5)
RECOGNITION_GATE_CACHE_SECONDS = env_float("RECOGNITION_GATE_CACHE_SECONDS", 1.0, minimum=0.0, maximum=1.0)
# Tracks and sightings: at most this many encodings of one face track that matched no one (a first one, then only
# clearly larger or sharper views); a matched person unseen this long ends a sighting.
RECOGNITION_MAX_ENCODINGS_PER_TRACK = env_int("RECOGNITION_MAX_ENCODINGS_PER_TRACK", 4, minimum=1, maximum=20)
RECOGNITION_SIGHTING_GAP_SECONDS = env_float("RECOGNITION_SIGHTING_GAP_SECONDS", 3.0, minimum=0.5, maximum=60.0)
RECOGNITION_DISPATCH_SECONDS = env_float("RECOGNITION_DISPATCH_SECONDS", 2.0, minimum=0.5)
# A scan task analyses at most this long, then ends so the dispatcher requeues it: no worker
# holds a task forever, and the segment stays under the Redis visibility timeout (acks_late).
RECOGNITION_SEGMENT_SECONDS = env_float("RECOGNITION_SEGMENT_SECONDS", 45.0, minimum=5.0, maximum=600.0)
# A running scan whose heartbeat is older than this belongs to a dead worker (picked
# up again within 30 s = this + one dispatch period + start-up).
RECOGNITION_SCAN_STALE_SECONDS = env_float("RECOGNITION_SCAN_STALE_SECONDS", 15.0, minimum=5.0, maximum=25.0)
# Verifiers see the sightings of one person on one case that follow each other within this gap, on any camera,
# together as one encounter (a timeline); each sighting is still verified on its own (R14).
RECOGNITION_ENCOUNTER_GAP_MINUTES = env_int("RECOGNITION_ENCOUNTER_GAP_MINUTES", 10, minimum=1, maximum=120)
CELERY_BEAT_SCHEDULE["recognition-scans-dispatch"] = {
    "task": "recognition.scans_dispatch",
    "schedule": RECOGNITION_DISPATCH_SECONDS,
    # A dispatch that waited longer than one period is superseded by the next one.
    "options": {"expires": RECOGNITION_DISPATCH_SECONDS * 2},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

os.makedirs(VAR_DIR, exist_ok=True)
os.makedirs(STATIC_ROOT, exist_ok=True)  # whitenoise warns on every start without it

# ---------------------------------------------------------------- the public transparency register (R23)
# Requests one client address may make to the register's pages and files in a minute (then 429 until it ends).
TRANSPARENCY_REQUESTS_PER_MINUTE = env_int("TRANSPARENCY_REQUESTS_PER_MINUTE", 120, minimum=1, maximum=100_000)
# The longest a deciding authority may withhold one use from the register at a time (it may withhold again).
TRANSPARENCY_WITHHOLDING_MAX_DAYS = env_int("TRANSPARENCY_WITHHOLDING_MAX_DAYS", 365, minimum=1, maximum=5 * 365)

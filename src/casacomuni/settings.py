"""Settings of Casa dei Comuni, all in one module and driven by environment variables.

With no variable set, the platform runs for development: SQLite under ``var/``, e-mail printed to the
console, tasks stored in the database and run by ``casacomuni db_worker``. Every variable is read by
one of the typed helpers below and documented next to its use.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


# Where the embedded database, uploaded files and e-mails written to disk live by default.
DATA_DIR = Path(env_str("CASACOMUNI_DATA_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# A fixed development key keeps sessions valid across restarts of the demo; production must set one.
SECRET_KEY = env_str("SECRET_KEY", "casacomuni-development-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    # django-ninja serves its Swagger UI files itself (no CDN, no inline script: the CSP allows it).
    "ninja",
    "django_tasks_db",
    "casacomuni.lib",
    "casacomuni.territory",
    "casacomuni.inbox",
    "casacomuni.accounts",
    "casacomuni.audit",
    "casacomuni.api",
    "casacomuni.web",
    "casacomuni.documents",
    "casacomuni.agreements",
    "casacomuni.procurement",
    "casacomuni.eufunds",
    "casacomuni.projects",
    "casacomuni.training",
    "casacomuni.library",
    "casacomuni.experiences",
    "casacomuni.helpdesk",
    "casacomuni.agenda",
    "casacomuni.insights",
    "casacomuni.indicators",
    "casacomuni.opendata",
    "casacomuni.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "casacomuni.lib.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "casacomuni.accounts.middleware.ActiveMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "casacomuni.urls"
# Every form renders in the Bootstrap Italia look (lib/templates/lib/form.html and field.html).
FORM_RENDERER = "casacomuni.lib.forms.ItalianFormRenderer"
WSGI_APPLICATION = "casacomuni.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casacomuni.web.context_processors.shell",
                # The unread count of the header's inbox link (one COUNT, only where the header shows it).
                "casacomuni.inbox.context_processors.unread",
            ],
        },
    },
]

# SQLite under DATA_DIR by default; DATABASE_URL (postgres://user:pass@host:port/name) for PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'casacomuni.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while the task worker writes; IMMEDIATE transactions take the write
    # lock at BEGIN, which serialises writers (the audit chain relies on it) instead of failing late.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # django-axes first, so that a locked-out user is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failures (django-axes): by username and address together.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_VERBOSE = False
# Failed logins from one address, within AXES_COOLOFF_MINUTES, after which that address may not try again
# until the window passes (axes alone locks a username, and made-up usernames are endless).
CASACOMUNI_FAILED_LOGINS_PER_ADDRESS = env_int("CASACOMUNI_FAILED_LOGINS_PER_ADDRESS", 30)

# Filling in a document template uploaded by a Province runs in a child process within these limits
# (documents.limits): seconds of time, and megabytes of memory beyond what the server process holds.
CASACOMUNI_TEMPLATE_FILL_SECONDS = env_int("CASACOMUNI_TEMPLATE_FILL_SECONDS", 10)
CASACOMUNI_TEMPLATE_FILL_MEMORY_MB = env_int("CASACOMUNI_TEMPLATE_FILL_MEMORY_MB", 512)

# TOTP second factor, compulsory for UPI and Province administrators when this is on (always in
# production, where DEBUG is off). The demo turns it on too: see the README for the demo codes.
CASACOMUNI_MFA_REQUIRED_FOR_ADMINS = env_bool("CASACOMUNI_MFA_REQUIRED_FOR_ADMINS", not DEBUG)
OTP_TOTP_ISSUER = "Casa dei Comuni"

# Served over TLS (HTTPS=1, as in production): plain http redirected, HSTS, cookies sent over TLS only.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# The header in which the TLS-terminating proxy states the original scheme, e.g. X-Forwarded-Proto. Only set
# it when the proxy always overwrites that header: a client could otherwise claim https itself.
if env_str("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + env_str("SECURE_PROXY_SSL_HEADER").upper().replace("-", "_"),
        "https",
    )
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
# Entering the browsers' preload list binds the whole domain to https for months and is hard to undo: the
# operator of the domain decides (SECURE_HSTS_PRELOAD=1), so Django's reminder is silenced until then.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page of the platform uses, refused to every page and anything it embeds.
PERMISSIONS_POLICY: dict[str, tuple[str, ...]] = {
    feature: ()
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "interest-cohort",
    )
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict Content-Security-Policy: only our own scripts, styles, fonts and images; no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LANGUAGE_CODE = "it"
# The interface speaks Italian whatever the browser asks: source strings are English, and an English
# catalogue would have to be reviewed like the Italian one before it is offered.
LANGUAGES = [("it", _("Italian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    # Uploads are written to a temporary name, fsynced and renamed (lib/storage.py); S3-compatible object
    # storage replaces it by settings in a national deployment.
    "default": {"BACKEND": env_str("FILE_STORAGE_BACKEND", "casacomuni.lib.storage.AtomicFileSystemStorage")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files are served by WhiteNoise straight from the apps in development and tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# E-mail (Django 6.1 MAILERS): console by default, files under DATA_DIR/mail with EMAIL_BACKEND=file,
# SMTP with EMAIL_BACKEND=smtp and the EMAIL_* variables below.
_EMAIL_BACKEND = env_str("EMAIL_BACKEND", "console")
_MAILER_CHOICES = {
    "console": {"BACKEND": "django.core.mail.backends.console.EmailBackend"},
    "file": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(DATA_DIR / "mail")},
    },
    "smtp": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER"),
            "password": env_str("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        },
    },
}
MAILERS = {"default": _MAILER_CHOICES[_EMAIL_BACKEND]}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Casa dei Comuni <noreply@casacomuni.invalid>")
# The public address of the platform, for links in e-mails sent by background tasks (no request there).
CASACOMUNI_BASE_URL = env_str("CASACOMUNI_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# OCDS publication of the SUA procedures: the prefix of the OCIDs ("ocds-" and six lowercase letters or digits,
# checked at start-up: procurement/checks.py), assigned by the Open Contracting Partnership on registration,
# and the publisher's name. "ocds-casadc" has the right shape but is NOT registered: a placeholder for the demo
# and the tests, to be replaced by the registered prefix before publishing real data.
CASACOMUNI_OCDS_PREFIX = env_str("CASACOMUNI_OCDS_PREFIX", "ocds-casadc")
CASACOMUNI_OCDS_PUBLISHER = env_str("CASACOMUNI_OCDS_PUBLISHER", "Casa dei Comuni")
# Sealed envelopes of online bids (docs/sealing.md): the key-encryption keys, "id:secret" comma-separated, the
# first one current; never in the database. Without them, a key made on first use in CASACOMUNI_SEALING_KEY_FILE
# (the zero-config demo; the start-up check warns about it outside DEBUG).
CASACOMUNI_SEALING_KEYS = env_list("CASACOMUNI_SEALING_KEYS", [])
CASACOMUNI_SEALING_KEY_FILE = Path(env_str("CASACOMUNI_SEALING_KEY_FILE", str(DATA_DIR / "sealing-keys")))
# The EU Funding & Tenders Portal's search API, for scheduled imports of calls; empty: imports from files only.
CASACOMUNI_SEDIA_URL = env_str("CASACOMUNI_SEDIA_URL", "")

# Background work goes only through Django's tasks API. The database backend needs no broker.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Who runs this instance (a Province, or UPI for the shared one) and where to write: named in the
# accessibility statement, the legal notes and the privacy notice (web/templates/web/legal/).
CASACOMUNI_OWNER_NAME = env_str("CASACOMUNI_OWNER_NAME", "Unione delle Province d'Italia (UPI)")
CASACOMUNI_CONTACT_EMAIL = env_str("CASACOMUNI_CONTACT_EMAIL", "accessibilita@casacomuni.invalid")
CASACOMUNI_DPO_EMAIL = env_str("CASACOMUNI_DPO_EMAIL", "rpd@casacomuni.invalid")

# django-ninja list pages: {"items": [...], "count": N} with limit/offset.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
# Ninja's own paginator takes any offset, which the database then refuses: ours bounds it.
NINJA_PAGINATION_CLASS = "casacomuni.api.pagination.BoundedLimitOffsetPagination"

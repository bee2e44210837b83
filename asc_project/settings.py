"""
Settings for the Amazon Sales Channel application.

Every value comes from the environment (or a `.env` file beside manage.py); `.env.example` lists them all.
The defaults are the embedded ones: SQLite, console email, local-memory cache. Secrets have no production
defaults: with DEBUG off, a missing SECRET_KEY stops the start-up.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from stores import marketplaces

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already in the environment win over the file, so CI and deployments can override it.
environ.Env.read_env(env.str("ASC_ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key-never-use-in-production")
else:
    SECRET_KEY = env("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "Set SECRET_KEY in the environment: it has no default when DEBUG is off. Generate one with "
            'python -c "import secrets; print(secrets.token_urlsafe(50))".'
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",  # sign-in throttling (asc_project/throttling.py)
    "asc_project",  # the project's own deployment checks (asc_project/checks.py)
    "stores",
    "sellerauth",
    # Always installed, so that its migrations exist whichever tasks backend runs (TASKS below).
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files, answered before sessions and the rest (gunicorn serves them with the site: no separate server).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the one chosen with the header's switch (a cookie), else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "asc_project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "asc_project.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Simultaneous requests write too (sessions, the sandbox's tokens). WAL lets readers go on beside the one
    # writer; IMMEDIATE takes the write lock when a transaction begins, so a transaction never fails halfway
    # on a lock upgrade but queues for up to `timeout` seconds; NORMAL sync is safe with WAL.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
    # Each signed-in user's permissions, kept under the permissions version they were read at: local to the
    # process, as the version is read from the database with the user (asc_project/permissions.py).
    "permissions": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "permissions",
        "OPTIONS": {"MAX_ENTRIES": 10000},
    },
    # Rendered cards and page fragments, cached under keys made of everything they show: a key never names
    # stale content, so each process may keep its own copy, without a network round trip per page.
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "template-fragments",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "stores:home"
LOGOUT_REDIRECT_URL = "login"
# Sign-in throttling (django-axes, asc_project/throttling.py): an account is locked for one address after
# ASC_LOGIN_FAILURE_LIMIT failed sign-ins from it, for ASC_LOGIN_COOLOFF_MINUTES; other addresses and accounts
# are not affected. The first backend refuses a locked sign-in; the second signs in.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "asc_project.permissions.PermissionCacheModelBackend"]
# How long a process keeps a user's permissions; any change made through the ORM ends them at once
# (asc_project/permissions.py), so this only bounds a change written in raw SQL.
PERMISSIONS_CACHE_SECONDS = env.int("PERMISSIONS_CACHE_SECONDS", default=300)
AXES_FAILURE_LIMIT = env.int("ASC_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ASC_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "asc_project.throttling.lockout"
AXES_CLIENT_IP_CALLABLE = "asc_project.throttling.client_ip"
AXES_VERBOSE = False  # no start-up banner; lockouts are still logged, with the username and address masked
# Reverse proxies in front of the application that append the client's address to X-Forwarded-For. At 0 the
# header is ignored, as anyone can send it; set it to the number of proxies only when every request passes them.
ASC_PROXY_COUNT = env.int("ASC_PROXY_COUNT", default=0)

LANGUAGES = [("en", "English"), ("sv", "Svenska")]
# The language of pages when the browser asks for none of LANGUAGES, and of what no person's request chooses:
# the reminder and lost-authorization e-mails, and the jobs' output.
LANGUAGE_CODE = env("LANGUAGE_CODE", default="en")
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}, not {LANGUAGE_CODE!r}.")
# The project's catalogue; the sandbox keeps its own in amazon_sandbox/locale. Setup compiles both (the .mo files
# are built from the .po files by scripts/compile_messages.py, and not kept in the repository).
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in each language's own format; asc_project/formats keeps the English ones the application always showed.
FORMAT_MODULE_PATH = ["asc_project.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # With DEBUG off, collectstatic writes each file under a name holding a hash of its content, with a gzip copy,
    # and WhiteNoise serves those names as cacheable forever; with DEBUG on, files are served from the apps' folders.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Console email by default; smtp+tls://user:password@host:587 for real delivery.
_email = env.email_url("EMAIL_URL", default="consolemail://")
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": {}}}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": _email["EMAIL_HOST"],
        "port": _email["EMAIL_PORT"] or None,
        "username": _email["EMAIL_HOST_USER"],
        "password": _email["EMAIL_HOST_PASSWORD"],
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": 10,
    }
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="amazon-sales-channel@localhost")

# Django's tasks framework: by default a task runs at once, in the process that enqueues it. With
# TASKS_BACKEND=database, tasks are rows of django-tasks-db's table, run by `manage.py db_worker` on any host.
_TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
_task_backend = env("TASKS_BACKEND", default="immediate")
if _task_backend not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {_task_backend!r}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_task_backend]}}

# Security headers. Everything is served from this host: no CDN, no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],  # and Seller Central when it is Amazon's (below, with the Amazon settings)
}
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "asc_project.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
# Lax, not Strict: the browser must keep the session on the way back from Seller Central.
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers ask for /healthz over plain http, straight from the backend: answer it rather than redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Every handler masks secrets (the OAuth state and code, Amazon tokens) before writing.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"secrets": {"()": "asc_project.logs.SecretsFilter"}},
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["secrets"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING", "propagate": True},
        # It logs every connection and request line at DEBUG; it has nothing else to say.
        "urllib3": {"level": "WARNING"},
        # The development server's access log holds whole request lines, callback query strings included.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
DEFAULT_EXCEPTION_REPORTER_FILTER = "asc_project.logs.ExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "asc_project.logs.ExceptionReporter"

# Amazon Sales Channel.
# Country codes of the marketplaces merchants may choose; the full table is in stores/marketplaces.py.
ASC_MARKETPLACES = env.list("ASC_MARKETPLACES", default=["US", "CA", "MX", "GB"])
ASC_STORES_PER_PAGE = 24
# Password of the demo users that `manage.py seed_demo` creates; a fixed demo value when unset.
ASC_DEMO_PASSWORD = env("ASC_DEMO_PASSWORD", default="")
# Days before an authorization expires from which its stores show "Renewal due".
ASC_RENEWAL_WINDOW_DAYS = env.int("ASC_RENEWAL_WINDOW_DAYS", default=30)
# Hours after a successful verification before `manage.py verify_authorizations` asks Amazon again.
ASC_VERIFY_INTERVAL_HOURS = env.int("ASC_VERIFY_INTERVAL_HOURS", default=24)

# Amazon: the Selling Partner API website authorization workflow.
# With AMAZON_SANDBOX on, the embedded Seller Central sandbox (amazon_sandbox/) answers at this site's own
# /sandbox/ paths and every default below points at it; real deployments set AMAZON_SANDBOX=false and their
# own values. A system check (sellerauth) explains each missing or malformed one.
AMAZON_SANDBOX = env.bool("AMAZON_SANDBOX", default=DEBUG)
# The sandbox is for development and tests; a demo deployment with DEBUG off must say so explicitly.
AMAZON_SANDBOX_ALLOWED_WITHOUT_DEBUG = env.bool("AMAZON_SANDBOX_ALLOWED_WITHOUT_DEBUG", default=False)
# How long the sandbox's "timeout" fault switch makes a call hang.
AMAZON_SANDBOX_TIMEOUT_SECONDS = env.float("AMAZON_SANDBOX_TIMEOUT_SECONDS", default=20.0)
# Amazon does not say whether a seller's new consent ends the refresh tokens of earlier ones: true plays "it does".
AMAZON_SANDBOX_NEW_CONSENT_REVOKES_OLD_TOKEN = env.bool("AMAZON_SANDBOX_NEW_CONSENT_REVOKES_OLD_TOKEN", default=True)
# The sandbox's SP-API usage plans, as JSON overriding Amazon's per operation (amazon_sandbox/usage.py), e.g.
# {"getMarketplaceParticipations": {"rate": 0.5, "burst": 2}}.
AMAZON_SANDBOX_USAGE_PLANS = env.json("AMAZON_SANDBOX_USAGE_PLANS", default={})
# Where this site is reached, for the sandbox's absolute URLs (the redirect URI, Seller Central, LWA, SP-API).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The application registered with the sandbox's Seller Central, as Develop Apps shows it (amazon_sandbox/app.py
# describes each key). Only the sandbox reads it; the client secret is the sandbox's published demo one.
AMAZON_SANDBOX_APPLICATION = {
    "NAME": "Amazon Sales Channel (sandbox)",
    "APPLICATION_ID": env("AMAZON_SANDBOX_APPLICATION_ID", default="amzn1.sp.solution.sandbox-app"),
    "CLIENT_ID": env("AMAZON_SANDBOX_LWA_CLIENT_ID", default="amzn1.application-oa2-client.sandbox-app"),
    "CLIENT_SECRET": env("AMAZON_SANDBOX_LWA_CLIENT_SECRET", default="sandbox-secret"),
    "REDIRECT_URIS": env.list("AMAZON_SANDBOX_REDIRECT_URIS", default=[f"{SITE_URL}/amazon/callback/"]),
    "LOGIN_URI": env("AMAZON_SANDBOX_LOGIN_URI", default=f"{SITE_URL}/amazon/login/"),
    # In Draft state its consent page requires version=beta.
    "IS_DRAFT": env.bool("AMAZON_SANDBOX_APP_IS_DRAFT", default=False),
}
if AMAZON_SANDBOX:
    INSTALLED_APPS.append("amazon_sandbox")
    _sandbox = {
        # The application's own values default to what the sandbox registered, as an operator copies them
        # from Develop Apps; set any of them to something else and the sandbox refuses it as Amazon would.
        "SPAPI_APPLICATION_ID": AMAZON_SANDBOX_APPLICATION["APPLICATION_ID"],
        "LWA_CLIENT_ID": AMAZON_SANDBOX_APPLICATION["CLIENT_ID"],
        "LWA_CLIENT_SECRET": AMAZON_SANDBOX_APPLICATION["CLIENT_SECRET"],
        "AMAZON_REDIRECT_URI": next(iter(AMAZON_SANDBOX_APPLICATION["REDIRECT_URIS"]), ""),
        "AMAZON_APP_IS_DRAFT": AMAZON_SANDBOX_APPLICATION["IS_DRAFT"],
        "AMAZON_LWA_TOKEN_URL": f"{SITE_URL}/sandbox/lwa/auth/o2/token",
        "SPAPI_ENDPOINT_NA": f"{SITE_URL}/sandbox/spapi/na",
        "SPAPI_ENDPOINT_EU": f"{SITE_URL}/sandbox/spapi/eu",
        "SPAPI_ENDPOINT_FE": f"{SITE_URL}/sandbox/spapi/fe",
        "SELLER_CENTRAL_URL": f"{SITE_URL}/sandbox/sellercentral",
    }
else:
    _sandbox = {
        "AMAZON_LWA_TOKEN_URL": "https://api.amazon.com/auth/o2/token",
        "SPAPI_ENDPOINT_NA": "https://sellingpartnerapi-na.amazon.com",
        "SPAPI_ENDPOINT_EU": "https://sellingpartnerapi-eu.amazon.com",
        "SPAPI_ENDPOINT_FE": "https://sellingpartnerapi-fe.amazon.com",
        "SELLER_CENTRAL_URL": "",
    }
SPAPI_APPLICATION_ID = env("SPAPI_APPLICATION_ID", default=_sandbox.get("SPAPI_APPLICATION_ID", ""))
LWA_CLIENT_ID = env("LWA_CLIENT_ID", default=_sandbox.get("LWA_CLIENT_ID", ""))
LWA_CLIENT_SECRET = env("LWA_CLIENT_SECRET", default=_sandbox.get("LWA_CLIENT_SECRET", ""))
# While the client secret is rotated (every 180 days): the secret being replaced. Sent only when LWA refuses
# LWA_CLIENT_SECRET (invalid_client), so the calls go through whichever of the two Amazon accepts; empty it once
# Amazon accepts the new one.
LWA_CLIENT_SECRET_PREVIOUS = env("LWA_CLIENT_SECRET_PREVIOUS", default="")
# Absolute, registered with Amazon for the application; sent in the consent URL and the token request.
AMAZON_REDIRECT_URI = env("AMAZON_REDIRECT_URI", default=_sandbox.get("AMAZON_REDIRECT_URI", ""))
# While the application is in Draft state at Amazon, the consent URL needs version=beta.
AMAZON_APP_IS_DRAFT = env.bool("AMAZON_APP_IS_DRAFT", default=_sandbox.get("AMAZON_APP_IS_DRAFT", False))
AMAZON_LWA_TOKEN_URL = env("AMAZON_LWA_TOKEN_URL", default=_sandbox["AMAZON_LWA_TOKEN_URL"])
AMAZON_SPAPI_ENDPOINTS = {
    region: env(f"SPAPI_ENDPOINT_{region}", default=_sandbox[f"SPAPI_ENDPOINT_{region}"]).rstrip("/")
    for region in ("NA", "EU", "FE")
}
# Seller Central per marketplace: the table in stores/marketplaces.py, overridden by country code here
# (e.g. GB=https://sellercentral.amazon.co.uk); in the sandbox every marketplace uses the sandbox's.
AMAZON_SELLER_CENTRAL_URLS = env.dict("AMAZON_SELLER_CENTRAL_URLS", default={})
AMAZON_SANDBOX_SELLER_CENTRAL_URL = _sandbox["SELLER_CENTRAL_URL"]
# The Log-in URI (Seller Central's Re-Authorize) sends the browser back only to an amazon_callback_uri on one of
# these hosts, over https, on the confirm path of this application: by default every Seller Central host of the
# marketplace table and of the overrides, and amazon.com, which Amazon's guide shows. The sandbox adds its own.
AMAZON_CALLBACK_HOSTS = env.list(
    "AMAZON_CALLBACK_HOSTS",
    default=sorted(
        {urlsplit(m.seller_central_url).hostname for m in marketplaces.MARKETPLACES.values()}
        | {urlsplit(url).hostname for url in AMAZON_SELLER_CENTRAL_URLS.values() if urlsplit(url).hostname}
        | {"sellercentral.amazon.com", "amazon.com"}
    ),
)
# Connect store is a form answered with a redirect to Seller Central, so the CSP must let forms go there: to every
# Seller Central of the marketplace table and of the overrides. The sandbox's is this site's own ('self').
if not AMAZON_SANDBOX:
    SECURE_CSP["form-action"] += sorted(
        {m.seller_central_url for m in marketplaces.MARKETPLACES.values()}
        | {url.rstrip("/") for url in AMAZON_SELLER_CENTRAL_URLS.values()}
        | {f"https://{host}" for host in AMAZON_CALLBACK_HOSTS}  # where the Log-in URI's form may lead
    )
# Seconds to wait for Amazon to accept a connection and to answer.
AMAZON_CONNECT_TIMEOUT = env.float("AMAZON_CONNECT_TIMEOUT", default=5.0)
AMAZON_READ_TIMEOUT = env.float("AMAZON_READ_TIMEOUT", default=15.0)
# Refresh tokens are encrypted with these Fernet keys, newest first (not SECRET_KEY). `make run` writes a
# development key into .env; production refuses to start without one. Generate one with
# python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
ASC_TOKEN_KEYS = env.list("ASC_TOKEN_KEYS", default=[])
if not DEBUG and not ASC_TOKEN_KEYS:
    raise ImproperlyConfigured(
        "Set ASC_TOKEN_KEYS: the Fernet keys that encrypt stored refresh tokens (see .env.example). "
        'Generate one with python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())".'
    )
# How long a connect attempt may take between leaving for Seller Central and coming back.
ASC_STATE_TTL_SECONDS = 600

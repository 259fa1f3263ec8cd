"""Backline's one settings module, read from the environment.

With no environment at all Backline runs in development: SQLite in ``data/``, a
generated secret kept there, e-mail written to ``data/mail/``. ``BACKLINE_ENV=production``
demands a real secret, allowed hosts and SMTP (or e-mail turned off) and turns on
secure cookies.
``DATABASE_URL`` switches to PostgreSQL.
"""

import base64
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from backline.lib import env

# ``forms.ModelForm[Agency]`` and the like, as the type checker reads them, at run time too
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.text("BACKLINE_DATA_DIR", str(BASE_DIR / "data")))

ENVIRONMENT = env.text("BACKLINE_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("BACKLINE_ENV: expected development or production")
PRODUCTION = ENVIRONMENT == "production"
# `make run` turns debug off too (scripts/run_env.sh): the demo shows Backline's own error
# pages, never a traceback, and serves static files as production does.
DEBUG = env.flag("BACKLINE_DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("BACKLINE_DEBUG cannot be on in production")


def _secret_key() -> str:
    key = env.text("DJANGO_SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) is required")
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env.words("BACKLINE_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("BACKLINE_ALLOWED_HOSTS is required in production")
CSRF_TRUSTED_ORIGINS = env.words("BACKLINE_CSRF_TRUSTED_ORIGINS")

# Demo accounts may sign in without MFA, for trying Backline only: never in production.
DEMO_MFA_RELAXED = env.flag("BACKLINE_DEMO", default=False)
if PRODUCTION and DEMO_MFA_RELAXED:
    raise ImproperlyConfigured("BACKLINE_DEMO cannot be on in production")


def _field_keys() -> list[str]:
    """Keys for encrypted fields, newest first: ``id:base64`` separated by commas."""
    keys = env.words("BACKLINE_FIELD_KEYS")
    if keys:
        return keys
    if PRODUCTION:
        raise ImproperlyConfigured("BACKLINE_FIELD_KEYS (or BACKLINE_FIELD_KEYS_FILE) is required")
    path = DATA_DIR / "field_keys"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(f"dev1:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}")
        path.chmod(0o600)
    return [k.strip() for k in path.read_text(encoding="utf-8").split(",") if k.strip()]


BACKLINE_FIELD_KEYS = _field_keys()

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's passkey list formats dates with it
    # Backline's templates first: they restyle django-allauth's pages.
    "backline.web",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "backline.privacy",
    "backline.accounts",
    "backline.roster",
    "backline.notify",
    "backline.records",
    "backline.meetings",
    "backline.oncall",
    "backline.support",
    "backline.care",
    "backline.checkins",
    "backline.wellness",
    "backline.directory",
    "backline.engine",
    "backline.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "backline.web.middleware.NoStoreMiddleware",
    "backline.web.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "backline.accounts.middleware.PersonLanguageMiddleware",
    "backline.accounts.middleware.LocalTimeMiddleware",
    "backline.accounts.middleware.RequireMFAMiddleware",
    "backline.oncall.sessions.OnCallSessionMiddleware",
    "backline.privacy.access.AccessRuleMiddleware",
]

ROOT_URLCONF = "backline.urls"
WSGI_APPLICATION = "backline.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backline.web.context.navigation",
            ],
        },
    },
]

# A link to PostgreSQL that goes dead without a word (a cut cable, a host that vanished)
# is given up within about this many seconds, at both ends: a web server or an engine
# gets an error instead of waiting for the operating system's hours, and the server ends
# that session, releasing its locks (docs/adr/0024-claims-held-by-a-lease.md). 0 leaves
# the system's defaults, e.g. behind a connection pooler that refuses ``options``.
BACKLINE_DATABASE_LINK_SECONDS = env.integer("BACKLINE_DATABASE_LINK_SECONDS", 5, minimum=0)


def _watched_link(options: dict[str, Any], seconds: int) -> dict[str, Any]:
    """libpq's connection options with TCP keepalives and a user timeout for this end,
    and the same for the server's end of the session (``-c``, which the URL's own
    ``options`` may override); what the URL sets itself wins."""
    if not seconds:
        return options
    idle, interval, count = max(1, seconds - 3), 1, 3
    ours = {
        "connect_timeout": max(2, seconds),
        "keepalives": 1,
        "keepalives_idle": idle,
        "keepalives_interval": interval,
        "keepalives_count": count,
        "tcp_user_timeout": seconds * 1000,
    }
    server = (
        f"-c tcp_keepalives_idle={idle} -c tcp_keepalives_interval={interval} "
        f"-c tcp_keepalives_count={count} -c tcp_user_timeout={seconds * 1000}"
    )
    given = options.get("options", "")
    return {**ours, **options, "options": f"{server} {given}".strip()}


DATABASE_URL = env.text("DATABASE_URL")
if DATABASE_URL and not DATABASE_URL.startswith("sqlite"):
    # connections are kept, and checked before each request reuses one: after a database
    # restart the first request gets a new connection, not the dead one's error
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    }
    DATABASES["default"]["OPTIONS"] = _watched_link(
        DATABASES["default"].get("OPTIONS", {}), BACKLINE_DATABASE_LINK_SECONDS
    )
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": dj_database_url.parse(DATABASE_URL)["NAME"]
            if DATABASE_URL
            else str(DATA_DIR / "backline.sqlite3"),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # a file, not memory, so that an engine started by a test shares it; one per
            # test run, so that runs side by side do not collide
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"backline-test-{os.getpid()}.db")},
        }
    }

CACHES = {
    # Shared by every worker, so that login throttling counts across processes.
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "backline_cache",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [  # allauth's alone, reading memberships with the person
    "backline.accounts.backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "backline.accounts.hashers.BacklineArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# A session lasts one long shift; signing out on a shared console ends it at once.
SESSION_COOKIE_AGE = env.integer("BACKLINE_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
# On a browser its person trusts, a session lasts while they are on call: to the end of
# their shift and this margin, never longer than these days after signing in (ADR 0014).
BACKLINE_ON_CALL_SESSION_MARGIN = timedelta(hours=1)
BACKLINE_ON_CALL_SESSION_DAYS = env.integer("BACKLINE_ON_CALL_SESSION_DAYS", 8, minimum=1)
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "backline.web.errors.csrf_failure"
if PRODUCTION:
    SECURE_HSTS_SECONDS = env.integer("BACKLINE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_SSL_REDIRECT = env.flag("BACKLINE_SSL_REDIRECT", default=True)
    if env.flag("BACKLINE_BEHIND_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# django-allauth: e-mail sign-in only, no open sign-up (people join by invitation).
ACCOUNT_ADAPTER = "backline.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "backline.accounts.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Confirming access again (before changing a second factor, say) takes the password or a
# second factor. Not an e-mailed code: that is weaker than either, and its views stay
# closed like the rest of sign-in by code (backline.web.allauth_rules).
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Backline] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.text("BACKLINE_LOGIN_RATE", "10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Backline"
# "Trust this browser": on a person's own phone the second factor is asked at most once
# every 30 days (a signed cookie; changing the password or a second factor forgets it).
MFA_TRUST_ENABLED = True
MFA_TRUST_COOKIE_AGE = timedelta(days=30)
# Browsers treat http://localhost as secure; elsewhere passkeys need HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_LOGIN_ON_GET = False

# Mail is never written to the server's output or logs: production needs SMTP, or e-mail
# turned off explicitly (then mail is dropped and the e-mail transport refuses, so pages
# fail over to each peer's next contact method; backline.notify warns at start-up).
BACKLINE_EMAIL = env.flag("BACKLINE_EMAIL", default=True)
EMAIL_HOST = env.text("BACKLINE_SMTP_HOST")
if not BACKLINE_EMAIL:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.integer("BACKLINE_SMTP_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env.text("BACKLINE_SMTP_USER")
    EMAIL_HOST_PASSWORD = env.text("BACKLINE_SMTP_PASSWORD")
    EMAIL_USE_TLS = env.flag("BACKLINE_SMTP_STARTTLS", default=True)
    EMAIL_TIMEOUT = 10
elif PRODUCTION:
    raise ImproperlyConfigured(
        "BACKLINE_SMTP_HOST is required in production (with BACKLINE_SMTP_PORT, _USER, "
        "_PASSWORD as needed), or set BACKLINE_EMAIL=off to send no e-mail at all"
    )
else:
    # development: mail is kept in data/mail/ and shown at /dev/mail/
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = env.text("BACKLINE_FROM_EMAIL", "Backline <backline@localhost>")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "backline" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# one way to show a moment on every page: templates use the named formats
# (TIME_FORMAT, SHORT_DATETIME_FORMAT, DATETIME_FORMAT), defined per language here
FORMAT_MODULE_PATH = ["backline.web.formats"]
# the language picked in a page's footer (web/language.py), kept for the next visit
LANGUAGE_COOKIE_SECURE = PRODUCTION

# With debug off (production, `make run`) WhiteNoise serves what collectstatic gathered
# into STATIC_ROOT, under names that change with their content; with debug on, straight
# from the apps' folders.
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Where people reach Backline: links in notifications point here.
BACKLINE_PUBLIC_URL = env.text("BACKLINE_PUBLIC_URL", "http://127.0.0.1:8000")
# A Twilio-compatible SMS and voice provider.
BACKLINE_SMS_API_URL = env.text("BACKLINE_SMS_API_URL", "https://api.twilio.com")
BACKLINE_SMS_ACCOUNT_SID = env.text("BACKLINE_SMS_ACCOUNT_SID")
BACKLINE_SMS_AUTH_TOKEN = env.text("BACKLINE_SMS_AUTH_TOKEN")
BACKLINE_SMS_FROM = env.text("BACKLINE_SMS_FROM")


def _vapid_keys() -> tuple[str, str]:
    """Web push keys ``(public, private)``: from the environment, or in development a
    pair generated once into ``data/`` (as the secret key), so browsers can subscribe."""
    public = env.text("BACKLINE_VAPID_PUBLIC_KEY")
    private = env.text("BACKLINE_VAPID_PRIVATE_KEY")
    if public or private or PRODUCTION:
        return public, private
    path = DATA_DIR / "vapid_keys"
    if not path.exists():
        from backline.lib.vapid import new_key_pair

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        public, private = new_key_pair()
        path.write_text(f"{public}\n{private}\n", encoding="utf-8")
        path.chmod(0o600)
    public, private = path.read_text(encoding="utf-8").split()
    return public, private


# Web push (VAPID): the private key in PEM or base64url, and a contact for push services.
# Production takes both keys from the environment (``manage.py vapid_keys`` makes a pair).
BACKLINE_VAPID_PUBLIC_KEY, BACKLINE_VAPID_PRIVATE_KEY = _vapid_keys()
BACKLINE_VAPID_SUBJECT = env.text("BACKLINE_VAPID_SUBJECT", "mailto:backline@localhost")
# Shown with 988 when a request goes unanswered, if the agency sets no line of its own.
BACKLINE_EAP_LINE = env.text("BACKLINE_EAP_LINE")

# How long a message may stay "sending", its claim renewed by its engine, before another
# engine sends it again; and how soon, when its engine stops renewing the claim (it was
# killed, or lost the database). docs/adr/0024-claims-held-by-a-lease.md
BACKLINE_SENDING_DEADLINE_SECONDS = env.integer("BACKLINE_SENDING_DEADLINE_SECONDS", 30, minimum=1)
BACKLINE_CLAIM_LEASE_SECONDS = env.integer("BACKLINE_CLAIM_LEASE_SECONDS", 5, minimum=1)

BACKLINE_INVITATION_DAYS = env.integer("BACKLINE_INVITATION_DAYS", 7, minimum=1)
BACKLINE_INVITATION_TTL = timedelta(days=BACKLINE_INVITATION_DAYS)

# Every handler redacts secrets (tokens in URLs, query strings, addresses) before it
# writes: backline.lib.redact. Backline's own loggers and django.request reach the root's
# handler; Django's default handlers (a second console in DEBUG, mail to ADMINS carrying
# the request) are replaced; runserver's and granian's access lines are redacted too.
LOGGING: dict[str, Any] = {  # logging.config.dictConfig's own type
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "backline.lib.redact.RedactSecrets"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": env.text("BACKLINE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": []},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "granian.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

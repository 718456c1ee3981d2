"""Production: every secret from the environment, no defaults; refuses to start without them."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import PUBLIC_DEVELOPMENT_KEYS, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY or len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 32 characters in production."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DOCUMENTS_KEY_ENCRYPTION_KEY = env.str("DOCUMENTS_KEY_ENCRYPTION_KEY", default="")
if len(DOCUMENTS_KEY_ENCRYPTION_KEY) < 32:
    raise ImproperlyConfigured(
        "DOCUMENTS_KEY_ENCRYPTION_KEY must be set to a random string of at least 32 characters "
        "in production: it encrypts the signers' private keys."
    )
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="")
if len(AUDIT_HMAC_KEY) < 32:
    raise ImproperlyConfigured(
        "AUDIT_HMAC_KEY must be set to a random string of at least 32 characters in production: "
        "it keys the audit chain, so it must live outside the database."
    )
# The keys committed to the repository (local.py, test.py) are public: refuse them here, so a
# copied .env or a demo database's key never protects real sessions and signers' keys.
for _name, _value in (
    ("SECRET_KEY", SECRET_KEY),
    ("DOCUMENTS_KEY_ENCRYPTION_KEY", DOCUMENTS_KEY_ENCRYPTION_KEY),
    ("AUDIT_HMAC_KEY", AUDIT_HMAC_KEY),
):
    if _value in PUBLIC_DEVELOPMENT_KEYS:
        raise ImproperlyConfigured(
            f"{_name} is the public development key from config/settings/local.py (or test.py): "
            "anyone can read it in the repository. Set a random string of at least 32 "
            "characters."
        )
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS only (issue 11: ASVS 9.1.1, 14.4.5). The proxy terminates TLS and says so in
# X-Forwarded-Proto; a plain-HTTP request is redirected, and browsers remember for a year to
# use HTTPS alone, on subdomains too. Lower SECURE_HSTS_SECONDS for a first trial (it cannot
# be taken back from browsers that saw it); SECURE_HSTS_PRELOAD only allows a submission to
# the browsers' preload list, it submits nothing.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Compressed static files served by WhiteNoise (collected at image build time). Not the
# manifest storage: viewflow ships CSS that references fonts it does not include.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

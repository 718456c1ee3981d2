"""Production: every secret from the environment, no defaults; refuses to start without them."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

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
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True

# Compressed static files served by WhiteNoise (collected at image build time). Not the
# manifest storage: viewflow ships CSS that references fonts it does not include.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

"""Tests: the same code paths, faster hashing, Celery eager unless a test starts a worker."""

from .base import *  # noqa: F403
from .base import PUBLIC_DEVELOPMENT_KEYS, env

SECRET_KEY = "test-only-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
LANGUAGE_CODE = "ru"
# Like local settings: demo data and the public test key are allowed (config/settings/base.py).
DOCKET_DEMO_SETTINGS = True
AUDIT_HMAC_KEY = PUBLIC_DEVELOPMENT_KEYS[3]  # DEMO ONLY, like SECRET_KEY above

# --- wt-h: throttles never get in the way of the suite; tests of throttling set their own rates
# (tests/security/test_api_throttling.py), and counters live in this process only.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "anon": "100000/minute",
        "user": "100000/minute",
        "auth_failure": "100000/minute",
    },
}

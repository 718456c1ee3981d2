"""Embedded default for a developer's machine: debug on, a fixed insecure key."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-development-key-change-me")
# DEMO ONLY: a known key means anyone can recompute the audit chain. Production sets its own.
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="demo-only-audit-key-do-not-use-in-production")

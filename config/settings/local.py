"""Embedded default for a developer's machine: debug on, a fixed insecure key."""

from .base import *  # noqa: F403
from .base import PUBLIC_DEVELOPMENT_KEYS, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# PUBLIC KEY, FOR A DEMO ONLY. This default is committed to the repository: sessions signed
# with it can be forged, and with DOCUMENTS_KEY_ENCRYPTION_KEY unset it also encrypts the
# signers' private keys (documents/pki.py), so anyone holding a copy of a demo database can
# decrypt them. Fine for `make run`; production refuses it (config/settings/production.py) and
# the signing code refuses it under any settings that are not these or the tests'.
SECRET_KEY = env.str("SECRET_KEY", default=PUBLIC_DEVELOPMENT_KEYS[0])
# Demo data (seed_demo) and the public key above are allowed here.
DOCKET_DEMO_SETTINGS = True
# DEMO ONLY: a known key means anyone can recompute the audit chain. Production sets its own
# and refuses this one (config/settings/production.py).
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default=PUBLIC_DEVELOPMENT_KEYS[2])

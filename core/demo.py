"""Demo data belongs to the embedded default and the tests, never to a production database.

`seed_demo` creates accounts whose passwords are printed in the README, and
`simulate_lifecycle --keep` leaves a made-up school with its cases behind. Both commands refuse
to run unless the settings say they are a demo (`DOCKET_DEMO_SETTINGS`, true only in
config/settings/local.py and test.py) or the operator passes the flag that names the risk. The
deploy check (`demo.checks`) catches the accounts that got in anyway.
"""

import os

from django.conf import settings
from django.core.management.base import CommandError

# The passwords README.md gives for the demo accounts: public, so never acceptable in use.
DEMO_PASSWORD = "demo12345"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"
KNOWN_DEMO_PASSWORDS = (DEMO_PASSWORD, ADMIN_PASSWORD)

# The option of the demo commands that overrides the refusal; its name is the operator's promise.
NOT_PRODUCTION_FLAG = "--i-know-this-is-not-production"
NOT_PRODUCTION_DEST = "i_know_this_is_not_production"


def demo_flag_add(parser) -> None:
    parser.add_argument(
        NOT_PRODUCTION_FLAG,
        action="store_true",
        dest=NOT_PRODUCTION_DEST,
        help=(
            "Run although the settings are not the local or test ones. The demo accounts have "
            "publicly known passwords: never use this on a database real people use."
        ),
    )


def demo_data_guard(*, command: str, options: dict) -> None:
    """Refuse a demo command outside the demo settings unless the operator named the risk."""
    if getattr(settings, "DOCKET_DEMO_SETTINGS", False) or options.get(NOT_PRODUCTION_DEST):
        return
    raise CommandError(
        f"{command} loads demo data (accounts with publicly known passwords, a made-up "
        f"programme and schools) and refuses to run with "
        f"{os.environ.get('DJANGO_SETTINGS_MODULE', 'these settings')}: only the "
        "local and test settings allow it. Signer certificates have their own commands "
        "(issue_signer_certificate, import_signer_pkcs12; docs/operations.md). If this "
        f"database is really not used by anyone, run it again with {NOT_PRODUCTION_FLAG}."
    )

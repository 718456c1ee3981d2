"""Issue 11, finding 1: demo data cannot reach a production database unnoticed.

seed_demo (and simulate_lifecycle) refuse outside the local and test settings unless the
operator names the risk, and `check --deploy` fails while a demo account keeps its password.
"""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from accounts.models import User
from demo.checks import demo_passwords_in_use
from programmes.models import Program
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_like(settings):
    """What config.settings.production says: not a demo."""
    settings.DOCKET_DEMO_SETTINGS = False


def test_seed_demo_refuses_outside_the_local_and_test_settings(production_like):
    with pytest.raises(CommandError) as info:
        call_command("seed_demo", stdout=io.StringIO())
    message = str(info.value)
    assert "--i-know-this-is-not-production" in message
    assert "issue_signer_certificate" in message  # where certificates come from instead
    assert not User.objects.exists()
    assert not Program.objects.exists()


def test_simulate_lifecycle_refuses_there_too(production_like):
    with pytest.raises(CommandError, match="--i-know-this-is-not-production"):
        call_command("simulate_lifecycle", "--keep", stdout=io.StringIO())
    assert not User.objects.exists()


def test_the_flag_that_names_the_risk_lets_it_run(production_like, settings):
    # Production has its own key: the test one is public and is refused outside demo settings.
    settings.DOCUMENTS_KEY_ENCRYPTION_KEY = "a-private-key-of-at-least-32-characters"
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=io.StringIO())
    assert User.objects.get(username="admin").is_superuser


def test_the_deploy_check_names_every_demo_account_with_its_demo_password():
    call_command("seed_demo", stdout=io.StringIO())
    errors = demo_passwords_in_use(None)
    assert [e.id for e in errors] == ["workflows.E001"]
    for username in ("admin", "methodist", "official", "coord1", "klin_member"):
        assert username in errors[0].msg
    with pytest.raises(SystemCheckError, match=r"workflows\.E001"):
        call_command("check", "--deploy", stdout=io.StringIO(), stderr=io.StringIO())
    # Plain `check` (runserver, migrate) is not the deploy check: `make run` still starts.
    call_command("check", stdout=io.StringIO())


def test_changing_the_demo_passwords_clears_the_deploy_check():
    call_command("seed_demo", stdout=io.StringIO())
    for user in User.objects.exclude(username="member2"):
        user.set_password("a-long-private-passphrase-2026")
        user.save()
    errors = demo_passwords_in_use(None)
    assert len(errors) == 1 and "member2" in errors[0].msg and "admin" not in errors[0].msg
    User.objects.filter(username="member2").update(is_active=False)
    assert demo_passwords_in_use(None) == []
    call_command("check", "--deploy", stdout=io.StringIO(), stderr=io.StringIO())


def test_a_superuser_with_a_demo_password_is_caught_whatever_the_name():
    UserFactory(username="root", is_superuser=True, is_staff=True, password="admin")
    UserFactory(username="someone", password="demo12345")  # not a demo account: not hashed
    errors = demo_passwords_in_use(None)
    assert len(errors) == 1 and "root" in errors[0].msg and "someone" not in errors[0].msg


def test_the_check_reads_the_hash_and_never_rewrites_it(settings):
    """check_password on a user object upgrades an old hash in place; the check must not."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    user = UserFactory(username="admin", is_superuser=True)
    User.objects.filter(pk=user.pk).update(password=_md5("admin"))
    assert demo_passwords_in_use(None)
    assert User.objects.get(pk=user.pk).password == _md5("admin")


def _md5(raw: str) -> str:
    from django.contrib.auth.hashers import MD5PasswordHasher

    return MD5PasswordHasher().encode(raw, "fixedsalt")

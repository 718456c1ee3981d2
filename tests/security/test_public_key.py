"""Issue 11, finding 15: a key committed to the repository encrypts signers' keys only in a demo."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from documents import pki
from documents.services import signer_certificate_issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC_KEY = "insecure-local-development-key-change-me"


def test_outside_demo_settings_the_public_key_encrypts_no_signer_key(settings):
    settings.DOCKET_DEMO_SETTINGS = False
    settings.SECRET_KEY = PUBLIC_KEY
    settings.DOCUMENTS_KEY_ENCRYPTION_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="public development key"):
        signer_certificate_issue(user=UserFactory())
    settings.DOCUMENTS_KEY_ENCRYPTION_KEY = PUBLIC_KEY
    with pytest.raises(ImproperlyConfigured, match="DOCUMENTS_KEY_ENCRYPTION_KEY"):
        pki.key_encrypt(pki.rsa.generate_private_key(public_exponent=65537, key_size=1024))


def test_a_demo_database_keeps_working_on_it(settings):
    settings.DOCKET_DEMO_SETTINGS = True
    settings.SECRET_KEY = PUBLIC_KEY
    settings.DOCUMENTS_KEY_ENCRYPTION_KEY = ""
    issued = signer_certificate_issue(user=UserFactory())
    assert pki.key_decrypt(issued.key_encrypted) is not None


def test_a_private_key_is_accepted_outside_demo_settings(settings):
    settings.DOCKET_DEMO_SETTINGS = False
    settings.DOCUMENTS_KEY_ENCRYPTION_KEY = "k" * 40
    issued = signer_certificate_issue(user=UserFactory())
    assert pki.key_decrypt(issued.key_encrypted) is not None

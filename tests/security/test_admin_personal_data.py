"""Finding 12: an admin list that shows people (names, e-mails, user names, addresses) is a
read of their personal data (152-ФЗ), logged once per page shown with the records it listed,
as opening one of them already was."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import models
from django.urls import reverse

from audit.admin_base import PersonalDataAdmin
from audit.models import AuditEvent
from audit.services import PERSONAL_DATA_READ
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Columns that show a person whatever model they are on (besides links to a user).
PERSONAL_COLUMNS = {
    "username",
    "email",
    "first_name",
    "last_name",
    "middle_name",
    "ip_address",
    "responsible_name",
    "responsible_email",
    "responsible_phone",
    "signer_name",
    "participants",
}


@pytest.fixture
def root(client):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def _list_reads(model_label):
    return AuditEvent.objects.filter(
        action=PERSONAL_DATA_READ, object_type=model_label, object_id="list"
    )


def test_the_list_of_people_is_a_logged_read_naming_who_was_shown(client, root):
    people = [UserFactory(username=f"petrov{n}", email=f"p{n}@example.org") for n in range(3)]
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    assert "p0@example.org" in response.content.decode()
    event = _list_reads("accounts.user").get()
    assert event.actor == root
    assert event.data["channel"] == "admin"
    assert "email" in event.data["fields"]
    assert sorted(event.data["ids"]) == sorted([root.pk, *(p.pk for p in people)])


def test_each_page_view_is_one_event_with_the_rows_of_that_page(client, root):
    wanted = UserFactory(username="ivanova", email="ivanova@example.org")
    UserFactory(username="sidorov")
    client.get(reverse("admin:accounts_user_changelist"), {"q": "ivanova"})
    client.get(reverse("admin:accounts_user_changelist"), {"q": "ivanova"})
    events = list(_list_reads("accounts.user"))
    assert len(events) == 2, "one event per page shown, not one per row"
    assert all(e.data["ids"] == [wanted.pk] for e in events)


def test_an_empty_list_shows_nobody_and_logs_nothing(client, root):
    client.get(reverse("admin:accounts_user_changelist"), {"q": "nobody-by-this-name"})
    assert not _list_reads("accounts.user").exists()


def test_the_coordinators_e_mails_in_the_outbox_list_are_logged(client, root):
    from notifications.models import Notification

    person = UserFactory(username="coord9")
    Notification.objects.create(
        recipient=person,
        kind=Notification.Kind.choices[0][0],
        channel="email",
        subject="Заявка",
        dedup_key="t:1",
        state="sent",
    )
    client.get(reverse("admin:notifications_notification_changelist"))
    assert _list_reads("notifications.notification").get().data["ids"]


def _personal_columns(model_admin) -> set[str]:
    """Columns of the admin's list that show a person: a link to a user, or a personal field."""
    found = set()
    for name in model_admin.list_display:
        if not isinstance(name, str):
            continue
        if name in PERSONAL_COLUMNS:
            found.add(name)
            continue
        try:
            field = model_admin.model._meta.get_field(name)
        except Exception:
            continue
        if isinstance(field, models.ForeignKey | models.OneToOneField):
            if field.related_model._meta.label == settings.AUTH_USER_MODEL:
                found.add(name)
    if model_admin.model._meta.label == settings.AUTH_USER_MODEL and "__str__" in (
        model_admin.list_display
    ):
        found.add("__str__")
    return found


def test_every_admin_list_that_shows_people_logs_the_read():
    """A new admin list with a person's column fails here until it logs (personal_list_fields)."""
    missing = {}
    for model, model_admin in admin.site._registry.items():
        personal = _personal_columns(model_admin)
        if not personal:
            continue
        declared = set(getattr(model_admin, "personal_list_fields", ()))
        if not isinstance(model_admin, PersonalDataAdmin) or not personal <= declared:
            missing[model._meta.label] = sorted(personal - declared)
    assert missing == {}, f"admin lists showing people without logging the read: {missing}"


def test_every_admin_list_still_opens(client, root):
    """The replaced registrations (axes', DRF's token, viewflow's) keep working."""
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url

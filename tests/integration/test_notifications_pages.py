"""The bell, the list and the e-mail settings, as a person uses them; nobody sees another's."""

import pytest
from django.db import transaction
from django.urls import reverse

from notifications import services
from notifications.models import Kind, Notification, NotificationPreference
from tests.factories import UserFactory

Channel = Notification.Channel


def tell(
    user, *, key, subject="Заявка ЗСП-2026/0001 возвращена на доработку", path="/applications/7/"
):
    with transaction.atomic():
        services.notify(
            recipients=[user],
            kind=Kind.APPLICATION_RETURNED,
            subject=subject,
            template="application_returned",
            context={"application": {"reg_number": "ЗСП-2026/0001"}, "comment": "Уточните план"},
            url=f"http://127.0.0.1:8000{path}",
            dedup_key=key,
        )
    return Notification.objects.get(recipient=user, dedup_key=key, channel=Channel.INAPP)


@pytest.fixture
def anna(db):
    return UserFactory(username="anna")


@pytest.fixture
def boris(db):
    return UserFactory(username="boris")


def test_the_bell_counts_only_my_unread_notifications(client, anna, boris):
    tell(anna, key="a1")
    read = tell(anna, key="a2")
    read.read_at = read.created_at
    read.save()
    tell(boris, key="b1")
    client.force_login(anna)

    page = client.get(reverse("registry"))
    assert page.context["notifications_unread"] == 1
    html = page.content.decode()
    assert 'href="/notifications/"' in html
    assert '<span class="badge">1</span>' in html
    assert 'aria-label="Уведомления (непрочитанных: 1)"' in html


def test_no_bell_without_unread_and_none_when_signed_out(client, anna):
    client.force_login(anna)
    assert 'class="badge"' not in client.get(reverse("registry")).content.decode()
    client.logout()
    page = client.get(reverse("login"))
    assert "notifications_unread" not in page.context
    assert 'href="/notifications/"' not in page.content.decode()


def test_the_list_shows_my_notifications_newest_first_with_the_unread_marked(client, anna, boris):
    older = tell(anna, key="a1", subject="Первое")
    newer = tell(anna, key="a2", subject="Второе")
    older.read_at = older.created_at
    older.save()
    tell(boris, key="b1", subject="Чужое")
    client.force_login(anna)

    page = client.get(reverse("notification-list"))
    assert list(page.context["page_obj"]) == [newer, older]
    html = page.content.decode()
    assert "Чужое" not in html
    assert html.index("Второе") < html.index("Первое")
    assert 'class="unread"' in html and 'class="read"' in html
    assert "Отметить все как прочитанные" in html
    assert "Уточните план" in html  # the substance of the notification


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, anna):
    note = tell(anna, key="a1", path="/applications/7/")
    client.force_login(anna)

    response = client.post(reverse("notification-open", args=[note.pk]))
    # The stored link is absolute (for e-mail); inside the site it is followed on this host.
    assert response.status_code == 302
    assert response["Location"] == "/applications/7/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_another_persons_notification_is_not_found(client, anna, boris):
    note = tell(boris, key="b1")
    email = Notification.objects.get(recipient=boris, channel=Channel.EMAIL)
    client.force_login(anna)
    assert client.post(reverse("notification-open", args=[note.pk])).status_code == 404
    assert client.post(reverse("notification-open", args=[email.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_opening_needs_a_post(client, anna):
    note = tell(anna, key="a1")
    client.force_login(anna)
    assert client.get(reverse("notification-open", args=[note.pk])).status_code == 405


def test_mark_all_as_read_touches_only_mine(client, anna, boris):
    tell(anna, key="a1")
    tell(anna, key="a2")
    theirs = tell(boris, key="b1")
    client.force_login(anna)

    response = client.post(reverse("notification-read-all"))
    assert response.status_code == 302
    mine = Notification.objects.filter(recipient=anna, channel=Channel.INAPP)
    assert mine.count() == 2
    assert not mine.filter(read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_pages_need_a_login(client):
    response = client.get(reverse("notification-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_turning_email_off_for_a_kind_keeps_the_bell(client, anna):
    client.force_login(anna)
    page = client.get(reverse("notification-settings"))
    assert page.status_code == 200
    assert "Заявка возвращена на доработку" in page.content.decode()
    assert page.context["form"].initial[Kind.APPLICATION_RETURNED] is True

    data = {kind: "on" for kind in Kind.values if kind != Kind.APPLICATION_RETURNED}
    response = client.post(reverse("notification-settings"), data)
    assert response.status_code == 302
    assert (
        NotificationPreference.objects.get(user=anna, kind=Kind.APPLICATION_RETURNED).email is False
    )
    assert NotificationPreference.objects.get(user=anna, kind=Kind.TASK_ASSIGNED).email is True

    tell(anna, key="after-opt-out")
    channels = set(
        Notification.objects.filter(dedup_key="after-opt-out").values_list("channel", flat=True)
    )
    assert channels == {Channel.INAPP}


def test_only_staff_are_offered_the_letters_about_failed_background_steps(client, anna):
    client.force_login(anna)
    assert (
        Kind.JOB_FAILED not in client.get(reverse("notification-settings")).context["form"].fields
    )
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert Kind.JOB_FAILED in client.get(reverse("notification-settings")).context["form"].fields


def test_the_settings_page_says_when_there_is_no_address(client, db):
    nobody = UserFactory(username="nobody", email="")
    client.force_login(nobody)
    html = client.get(reverse("notification-settings")).content.decode()
    assert "нет адреса электронной почты" in html

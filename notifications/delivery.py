"""Handing one e-mail row to Django's mail backend, and telling transient failures from
permanent ones. No database writes here: the task records the outcome through the services."""

import smtplib
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .models import Notification


class NoAddress(Exception):
    """The recipient has no e-mail address (any more): nothing to retry until one is set."""


def send(notification: Notification) -> None:
    """Send through the configured backend (SMTP in production, files in the embedded default,
    locmem in tests). The Message-ID is derived from the row, so the rare second delivery (see
    `deliver_notification`) carries the same id and mail clients can fold it into the first."""
    address = notification.recipient.email
    if not address:
        raise NoAddress(f"{notification.recipient} has no e-mail address")
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={"Message-ID": message_id(notification)},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    message.send()


def message_id(notification: Notification) -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "docket.localhost"
    return f"<notification.{notification.pk}@{domain}>"


def classify(exc: BaseException) -> tuple[bool, str]:
    """(transient?, the reason an administrator reads).

    Transient: the server or network may recover (disconnects, refused connections, timeouts,
    4xx replies). Permanent: 5xx replies (an address that does not exist, a sender refused),
    missing addresses, and anything unexpected: retrying a bug only delays the report, and an
    administrator can retry the row once it is fixed.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in exc.recipients.values()]
        reason = "; ".join(
            f"{address}: {code} {_text_of(text)}"
            for address, (code, text) in exc.recipients.items()
        )
        return any(400 <= code < 500 for code in codes), f"recipient refused: {reason}"
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, smtplib.SMTPResponseException):
        reason = f"{type(exc).__name__}: {exc.smtp_code} {_text_of(exc.smtp_error)}"
        return 400 <= exc.smtp_code < 500, reason
    if isinstance(exc, smtplib.SMTPException):
        # SMTPNotSupportedError and the like: the configuration, not the moment, is wrong.
        return False, f"{type(exc).__name__}: {exc}"
    if isinstance(exc, NoAddress):
        return False, str(exc)
    if isinstance(exc, OSError | SoftTimeLimitExceeded):
        # ConnectionError, TimeoutError, socket.gaierror, ssl errors: the network.
        return True, f"{type(exc).__name__}: {exc}"
    return False, f"{type(exc).__name__}: {exc}"


def _text_of(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)

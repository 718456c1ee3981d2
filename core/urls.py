"""Absolute links for outside the site: e-mails, QR codes and printed documents."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """SITE_URL + path. Every link read outside a browser on this site is built here, so one
    setting decides them all (`make run` sets it to the address it serves; production to the
    public address). Not the request's host: a worker or beat has no request, and a link in a
    letter must not depend on which internal address the sender's request came in on."""
    return settings.SITE_URL.rstrip("/") + path

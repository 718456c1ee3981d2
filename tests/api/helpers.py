"""Helpers for API tests."""

from django.utils import translation
from django.utils.translation import gettext


def in_ru(msgid: str) -> str:
    """What the Russian catalogue says for `msgid`, for labels whose wording the translator owns."""
    with translation.override("ru"):
        return gettext(msgid)

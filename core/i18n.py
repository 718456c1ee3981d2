"""Language helpers for work done outside a request."""

import functools

from django.utils import translation


def in_russian(func):
    """Documents and notices are Russian official texts whatever language the page that caused
    them is in (and a task has no page at all)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override("ru"):
            return func(*args, **kwargs)

    return wrapper

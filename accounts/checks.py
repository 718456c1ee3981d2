"""System check: every API view authenticates through the failure guard (accounts.api_auth).

A view with its own `authentication_classes`, or a new default (another token library), that
is not wrapped would answer wrong credentials at full speed again; `manage.py check` and the
test suite name it.
"""

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.settings import api_settings
from rest_framework.views import APIView


def _views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view_class = getattr(entry.callback, "cls", None) or getattr(
                entry.callback, "view_class", None
            )
            if isinstance(view_class, type) and issubclass(view_class, APIView):
                yield prefix + str(entry.pattern), view_class


def _name(cls) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def check_api_authentication_is_guarded(app_configs, **kwargs):
    from .api_auth import ThrottledAuthFailures

    errors = []
    unguarded = [c for c in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    unguarded = [c for c in unguarded if not issubclass(c, ThrottledAuthFailures)]
    for cls in unguarded:
        errors.append(
            checks.Error(
                f"REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'] has {_name(cls)}, which does "
                "not count failed authentications: wrong credentials would be answered at full "
                "speed.",
                hint="Subclass it as `class Guarded...(ThrottledAuthFailures, ThatClass)` in "
                "accounts/api_auth.py and list that instead.",
                id="docket.security.E001",
            )
        )
    for route, view in _views(get_resolver().url_patterns):
        classes = view.authentication_classes
        if (
            classes is APIView.authentication_classes
            or classes == api_settings.DEFAULT_AUTHENTICATION_CLASSES
        ):
            continue
        for cls in classes:
            if not issubclass(cls, ThrottledAuthFailures):
                errors.append(
                    checks.Error(
                        f"/{route} ({_name(view)}) authenticates with {_name(cls)}, which does "
                        "not count failed authentications.",
                        hint="Use a class from accounts/api_auth.py (or wrap this one there).",
                        id="docket.security.E002",
                    )
                )
    return errors

"""API authentication that counts failures, and the throttles (issue 11, finding 3).

DRF checks throttles only after authentication and permissions (`APIView.initial`): a wrong
token raises AuthenticationFailed in `perform_authentication`, so no throttle ever saw it and 50
wrong tokens were answered at full speed. `ThrottledAuthFailures` goes first in the bases of any
authentication class (DRF's, knox's, ...) and, around that class's own `authenticate`:

- before anything is checked, an address past the failure rate (scope `auth_failure`) gets
  429 for whatever it sends, right credentials included, so it learns nothing until the window
  passes;
- a failure is recorded for the address and counts against the anonymous rate (scope `anon`,
  per address): a request whose authentication failed is anonymous.

The 429 is DRF's own `Throttled`, rendered by the API's exception handler like any error.
Rates are read from the settings at each request (DRF's throttles bind them at import), so
tests and operators can change them.
"""

from django.core.exceptions import ImproperlyConfigured
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework.authentication import (
    BasicAuthentication,
    SessionAuthentication,
)
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class _RatesFromSettings:
    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError as exc:
            raise ImproperlyConfigured(
                f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no rate for {self.scope!r}"
            ) from exc


class AnonThrottle(_RatesFromSettings, AnonRateThrottle):
    """Anonymous clients, per address."""


class UserThrottle(_RatesFromSettings, UserRateThrottle):
    """Signed-in clients, per person."""


class _ByAddress(SimpleRateThrottle):
    """Keyed by the client's address only. It never reads `request.user`: it runs while DRF is
    still authenticating, where `request.user` would authenticate again (recursion)."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request) -> None:
        self.key = self.get_cache_key(request, None)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]

    def exhausted(self, request) -> bool:
        if self.rate is None:
            return False
        self._load(request)
        return len(self.history) >= self.num_requests

    def record(self, request) -> None:
        if self.rate is None:
            return
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class AuthFailureThrottle(_RatesFromSettings, _ByAddress):
    """Failed authentications per address (scope `auth_failure`)."""

    scope = "auth_failure"


class _AnonByAddress(_RatesFromSettings, _ByAddress):
    """The anonymous rate's own counter (same scope and key as AnonThrottle)."""

    scope = "anon"


class ThrottledAuthFailures:
    """Put first in the bases of an authentication class; see the module's docstring."""

    def authenticate(self, request):
        guard = AuthFailureThrottle()
        if guard.exhausted(request):
            raise Throttled(wait=guard.wait())
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            guard.record(request)
            anonymous = _AnonByAddress()
            if anonymous.exhausted(request):
                raise Throttled(wait=anonymous.wait()) from None
            anonymous.record(request)
            raise


class GuardedSessionAuthentication(ThrottledAuthFailures, SessionAuthentication):
    """The browser's session; it fails only on CSRF, which is a 403, but the address guard
    applies to it too, so a throttled address cannot switch to a cookie."""


class GuardedBasicAuthentication(ThrottledAuthFailures, BasicAuthentication):
    """User name and password: django-axes locks the person and address (its backend sees the
    request), and the failures count here per address as well."""


class GuardedKnoxTokenAuthentication(ThrottledAuthFailures, KnoxTokenAuthentication):
    """knox's token ("Authorization: Token ...", accounts.services) with failures counted."""

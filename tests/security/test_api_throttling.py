"""Finding 3 (API): wrong tokens and floods get 429 Too Many Requests, not full-speed answers.

DRF runs throttles after authentication and permissions, so a request whose token is wrong
(AuthenticationFailed) or that is anonymous on a protected endpoint never reached them. The
authentication classes are wrapped (accounts.api_auth) so failures are counted per address
and, past the limit, nothing the address sends is checked until the window passes.
"""

import datetime
import secrets

import pytest
import time_machine
from django.core.cache import cache
from django.core.checks import run_checks
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
OFFICE = "198.51.100.30"
URL = "/api/applications/"


@pytest.fixture
def rates(settings):
    """set(anon=..., user=..., auth_failure=...): the rates for this test (others stay high)."""
    cache.clear()

    def apply(**overrides):
        rest = dict(settings.REST_FRAMEWORK)
        rest["DEFAULT_THROTTLE_RATES"] = {
            "anon": "1000/minute",
            "user": "1000/minute",
            "auth_failure": "1000/minute",
            **overrides,
        }
        settings.REST_FRAMEWORK = rest

    yield apply
    cache.clear()


def _client(ip=ATTACKER, token=None) -> APIClient:
    client = APIClient(REMOTE_ADDR=ip)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _wrong_token() -> str:
    return secrets.token_hex(20)


def _token_for(user) -> str:
    """A right token, issued as the API issues them (knox, accounts.services)."""
    return api_token_issue(user=user)[1]


def test_fifty_wrong_tokens_start_getting_429(rates):
    rates(auth_failure="10/minute")
    codes = [_client(token=_wrong_token()).get(URL).status_code for _ in range(50)]
    assert codes[:10] == [401] * 10
    assert set(codes[10:]) == {429}


def test_a_throttled_address_learns_nothing_even_from_a_right_token(rates, coordinator):
    rates(auth_failure="3/minute")
    good = _token_for(coordinator)
    for _ in range(3):
        _client(token=_wrong_token()).get(URL)
    response = _client(token=good).get(URL)
    assert response.status_code == 429, "no oracle: a right token answers like a wrong one"
    assert int(response["Retry-After"]) > 0
    assert _client(ip=OFFICE, token=good).get(URL).status_code == 200  # other addresses go on


def test_the_throttle_lifts_when_the_window_passes(rates, coordinator):
    rates(auth_failure="3/minute")
    good = _token_for(coordinator)
    for _ in range(4):
        _client(token=_wrong_token()).get(URL)
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert _client(token=good).get(URL).status_code == 200


def test_a_failed_authentication_counts_against_the_anonymous_rate(rates):
    rates(anon="5/minute")
    codes = [_client(token=_wrong_token()).get(URL).status_code for _ in range(7)]
    assert codes == [401] * 5 + [429] * 2


def test_anonymous_requests_are_throttled_by_address(rates):
    rates(anon="5/minute")
    codes = [_client().get("/api/schema/").status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2


def test_a_signed_in_client_is_throttled_per_person(rates, coordinator, other_coordinator):
    rates(user="5/minute")
    token = _token_for(coordinator)
    codes = [_client(token=token).get(URL).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    other = _token_for(other_coordinator)
    assert _client(token=other).get(URL).status_code == 200


def test_the_429_is_a_drf_error_with_a_sentence(rates):
    rates(auth_failure="1/minute")
    _client(token=_wrong_token()).get(URL)
    response = _client(token=_wrong_token()).get(URL)
    assert response.status_code == 429
    assert response.json()["detail"]


def test_behind_the_proxy_the_forwarded_address_is_the_one_counted(rates, settings):
    rates(auth_failure="2/minute")
    rest = dict(settings.REST_FRAMEWORK)
    rest["NUM_PROXIES"] = 1
    settings.REST_FRAMEWORK = rest

    def via_proxy(client_ip):
        client = APIClient(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=client_ip)
        client.credentials(HTTP_AUTHORIZATION=f"Token {_wrong_token()}")
        return client.get(URL).status_code

    assert [via_proxy(ATTACKER) for _ in range(3)] == [401, 401, 429]
    assert via_proxy(OFFICE) == 401, "another client behind the same proxy is not blocked"


def test_every_api_view_authenticates_through_the_failure_guard():
    """A view (or a new default, e.g. another token class) whose authentication is not wrapped
    would answer wrong credentials at full speed again: the system check says which."""
    errors = [m for m in run_checks() if m.id.startswith("docket.security")]
    assert errors == []


def test_the_check_names_an_unguarded_authentication_class(settings):
    from accounts.checks import check_api_authentication_is_guarded

    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_AUTHENTICATION_CLASSES"] = ["rest_framework.authentication.TokenAuthentication"]
    settings.REST_FRAMEWORK = rest
    errors = check_api_authentication_is_guarded(None)
    assert errors and "rest_framework.authentication.TokenAuthentication" in errors[0].msg


def test_the_api_schema_still_describes_token_and_session_authentication(client_for, coordinator):
    schema = client_for(coordinator).get("/api/schema/", {"format": "json"}).json()
    # knox's token ("Authorization: Token ...") and the browser's session cookie.
    assert {"knoxApiToken", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


def test_staff_user_token_is_throttled_like_anyone(rates):
    rates(user="2/minute")
    token = _token_for(UserFactory(username="robot"))
    assert [_client(token=token).get(URL).status_code for _ in range(3)] == [200, 200, 429]


def test_the_counters_live_in_redis_when_there_is_one(tmp_path):
    """Local memory is per process: behind several gunicorn workers each would count alone."""
    from tests.unit.test_settings import load_settings

    _, values, _ = load_settings("base", {}, tmp_path, "CACHES")
    assert values["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    redis = "redis://cache.example:6379/3"
    _, values, _ = load_settings("base", {"REDIS_URL": redis}, tmp_path, "CACHES")
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == redis
    own = "redis://cache.example:6379/5"
    env = {"REDIS_URL": redis, "CACHE_URL": own}
    _, values, _ = load_settings("base", env, tmp_path, "CACHES")
    assert values["CACHES"]["default"]["LOCATION"] == own


@pytest.mark.server
def test_two_workers_share_the_failure_count_through_redis(rates, rf):
    """Two cache clients with their own connections, as two gunicorn workers have."""
    import os

    from django.core.cache.backends.redis import RedisCache

    from accounts.api_auth import AuthFailureThrottle
    from tests.conftest import require_server

    url = os.environ.get("REDIS_URL")
    if not url:
        require_server("this test needs Redis (set REDIS_URL=redis://...)")
    rates(auth_failure="3/minute")
    prefix = f"docket-test-{secrets.token_hex(4)}"
    workers = [RedisCache(url, {"KEY_PREFIX": prefix}) for _ in range(2)]
    request = rf.get(URL, REMOTE_ADDR=ATTACKER)
    try:
        for n in range(3):
            throttle = AuthFailureThrottle()
            throttle.cache = workers[n % 2]
            throttle.record(request)
        seen_by_other = AuthFailureThrottle()
        seen_by_other.cache = workers[1]
        assert seen_by_other.exhausted(request)
    finally:
        workers[0].delete(seen_by_other.key)  # only our key: the db may hold the broker's queues

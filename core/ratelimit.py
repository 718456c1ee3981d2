"""A per-client request budget for public pages outside the REST API (Django's cache).

The REST API has DRF's throttles; a public page (the document verification page, the target of
every printed QR code) needs the same protection against being used as a free hashing and PDF
parsing service. Fixed windows in the cache: cheap, good enough for "n per minute".
"""

import time

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address. Behind DOCKET_PROXY_COUNT trusted proxies it is taken from
    X-Forwarded-For, counted from the right (what a client writes on the left is not trusted).
    The verification page, the public registry, the login lockout and the API throttles all
    count by it."""
    proxies = int(getattr(settings, "DOCKET_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR", "")


def rate_exceeded(request, *, scope: str, limit: int, window: int = 60) -> bool:
    """Count this request against the client's budget of `limit` per `window` seconds in
    `scope`; True once the budget is spent (the request should then be refused)."""
    if limit <= 0:
        return False
    slot = int(time.time() // window)
    key = f"ratelimit:{scope}:{client_ip(request) or 'unknown'}:{slot}"
    if cache.add(key, 1, timeout=window + 1):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count > limit

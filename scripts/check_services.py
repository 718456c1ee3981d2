"""Fail loudly unless the PostgreSQL and Redis servers CI needs answer.

.ci/run calls this before the server-bound test pass, so that a missing server is a red build
with a plain reason instead of tests that quietly skip. Each server gets a short grace period
(they may still be starting on a fresh machine).

    python scripts/check_services.py --database postgres://... --redis redis://...
"""

import argparse
import sys
import time
from urllib.parse import urlsplit, urlunsplit

GRACE_SECONDS = 30


def _safe(url: str) -> str:
    """The URL without its password, for the log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _retry(what: str, probe) -> str | None:
    deadline = time.monotonic() + GRACE_SECONDS
    while True:
        try:
            return probe()
        except Exception as exc:
            if time.monotonic() > deadline:
                print(f"FAIL: {what} is unreachable: {exc}", file=sys.stderr)
                return None
            time.sleep(1)


def check_postgres(url: str) -> bool:
    import psycopg

    def probe():
        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("show server_version").fetchone()[0]

    version = _retry(f"PostgreSQL at {_safe(url)}", probe)
    if version:
        print(f"ok: PostgreSQL {version} at {_safe(url)}")
    return bool(version)


def check_redis(url: str) -> bool:
    import redis

    def probe():
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
        client.ping()
        return client.info("server")["redis_version"]

    version = _retry(f"Redis at {_safe(url)}", probe)
    if version:
        print(f"ok: Redis {version} at {_safe(url)}")
    return bool(version)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a postgres:// URL")
    parser.add_argument("--redis", help="a redis:// URL")
    args = parser.parse_args()
    ok = True
    if args.database:
        ok &= check_postgres(args.database)
    if args.redis:
        ok &= check_redis(args.redis)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Container health checks for docker-compose.yml: exit 0 when healthy, 1 otherwise.

    python scripts/healthcheck.py web      # gunicorn answers a page without a server error
    python scripts/healthcheck.py worker   # this container's Celery worker answers a ping

The web check sends the first ALLOWED_HOSTS name as Host, so Django answers instead of
refusing an unknown host, and X-Forwarded-Proto: https as the proxy does, so it is not
redirected to HTTPS; the page is the admin login, which needs the database.
"""

import os
import socket
import sys
import urllib.error
import urllib.request

WEB_URL = "http://127.0.0.1:8000/admin/login/"


def check_web() -> bool:
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h.lstrip(".") for h in hosts if h != "*"), "localhost")
    # As the HTTPS proxy would: production redirects plain HTTP (SECURE_SSL_REDIRECT).
    request = urllib.request.Request(WEB_URL, headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=8) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        print(f"web: no answer: {exc}", file=sys.stderr)
        return False
    if status >= 500:
        print(f"web: HTTP {status}", file=sys.stderr)
    return status < 500


def check_worker() -> bool:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from config.celery_app import app

    node = f"celery@{socket.gethostname()}"
    replies = app.control.ping(destination=[node], timeout=10)
    if not replies:
        print(f"worker: {node} did not answer a ping", file=sys.stderr)
    return bool(replies)


if __name__ == "__main__":
    checks = {"web": check_web, "worker": check_worker}
    if len(sys.argv) != 2 or sys.argv[1] not in checks:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(checks)}}}")
    sys.exit(0 if checks[sys.argv[1]]() else 1)

"""Settings come from the environment: what an operator sets is what the process runs with.

Settings modules run their code once, at import, so each case imports them in a fresh
subprocess with a clean environment. The developer's own .env is ignored there (read_env is
stubbed), so the cases mean the same on every machine.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_server

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DIR = ROOT / "config" / "settings"
GOOD_KEY = "k" * 25 + "Z9#q" * 6 + "x"  # 50 characters, like `get_random_secret_key()`

PROBE = """
import json, sys
import environ
environ.Env.read_env = staticmethod(lambda *args, **kwargs: None)  # ignore the developer's .env
from django.conf import settings
names = sys.argv[1:]
json.dump({name: getattr(settings, name, None) for name in names}, sys.stdout, default=str)
"""


def load_settings(module: str, env: dict[str, str], tmp_path: Path, *names: str):
    """Import `config.settings.<module>` in a clean process; return (returncode, values, stderr)."""
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": f"config.settings.{module}",
        "DOCKET_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *names],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    values = json.loads(proc.stdout) if proc.returncode == 0 else None
    return proc.returncode, values, proc.stderr


def production_env(**extra: str) -> dict[str, str]:
    return {
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "docket.example.org",
        "DOCUMENTS_KEY_ENCRYPTION_KEY": GOOD_KEY[::-1],
        "AUDIT_HMAC_KEY": GOOD_KEY.upper(),
        **extra,
    }


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    code, _, stderr = load_settings(
        "production", {"ALLOWED_HOSTS": "docket.example.org"}, tmp_path, "DEBUG"
    )
    assert code != 0
    assert "ImproperlyConfigured" in stderr
    assert "SECRET_KEY must be set" in stderr


def test_production_refuses_a_short_secret_key(tmp_path):
    env = production_env(SECRET_KEY="too-short")
    code, _, stderr = load_settings("production", env, tmp_path, "DEBUG")
    assert code != 0
    assert "SECRET_KEY must be set" in stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    code, _, stderr = load_settings("production", {"SECRET_KEY": GOOD_KEY}, tmp_path, "DEBUG")
    assert code != 0
    assert "ALLOWED_HOSTS" in stderr


def test_production_refuses_to_start_without_a_key_encryption_key(tmp_path):
    env = production_env()
    del env["DOCUMENTS_KEY_ENCRYPTION_KEY"]
    code, _, stderr = load_settings("production", env, tmp_path, "DEBUG")
    assert code != 0
    assert "DOCUMENTS_KEY_ENCRYPTION_KEY must be set" in stderr


@pytest.mark.parametrize("value", [None, "short"], ids=["unset", "too-short"])
def test_production_refuses_to_start_without_an_audit_key(tmp_path, value):
    """Issue 11, finding 4: the audit chain's key must come from the environment."""
    env = production_env()
    if value is None:
        del env["AUDIT_HMAC_KEY"]
    else:
        env["AUDIT_HMAC_KEY"] = value
    code, _, stderr = load_settings("production", env, tmp_path, "DEBUG")
    assert code != 0
    assert "AUDIT_HMAC_KEY must be set" in stderr


def test_production_starts_with_a_key_and_hosts_and_is_not_in_debug(tmp_path):
    code, values, stderr = load_settings(
        "production",
        production_env(),
        tmp_path,
        "DEBUG",
        "ALLOWED_HOSTS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    )
    assert code == 0, stderr
    assert values == {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["docket.example.org"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
    }


def test_production_django_setup_loads_every_app(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DOCKET_VAR_DIR": str(tmp_path / "var"),
        **production_env(),
    }
    code = (
        "import environ; environ.Env.read_env = staticmethod(lambda *a, **k: None)\n"
        "import django; django.setup(); print('ok')"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_database_url_selects_postgresql(tmp_path):
    env = production_env(DATABASE_URL="postgres://docket:s3cret@db.internal:5433/docket")
    code, values, stderr = load_settings("production", env, tmp_path, "DATABASES")
    assert code == 0, stderr
    db = values["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("docket", "docket", "s3cret")
    assert (db["HOST"], int(db["PORT"])) == ("db.internal", 5433)
    assert db["CONN_MAX_AGE"] == 60
    assert db["CONN_HEALTH_CHECKS"] is True  # a connection the server dropped is replaced
    assert "transaction_mode" not in db.get("OPTIONS", {})


def test_db_conn_max_age_is_read_for_postgresql(tmp_path):
    env = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test", "DB_CONN_MAX_AGE": "0"}
    code, values, stderr = load_settings("local", env, tmp_path, "DATABASES")
    assert code == 0, stderr
    assert values["DATABASES"]["default"]["CONN_MAX_AGE"] == 0


def test_without_database_url_sqlite_runs_in_immediate_mode_under_the_var_dir(tmp_path):
    code, values, stderr = load_settings("local", {}, tmp_path, "DATABASES")
    assert code == 0, stderr
    db = values["DATABASES"]["default"]
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "var" / "docket.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_redis_url_is_the_broker_when_celery_broker_url_is_absent(tmp_path):
    env = {"REDIS_URL": "redis://cache.internal:6379/2"}
    code, values, stderr = load_settings("local", env, tmp_path, "CELERY_BROKER_URL")
    assert code == 0, stderr
    assert values["CELERY_BROKER_URL"] == "redis://cache.internal:6379/2"


def test_a_redis_broker_survives_an_outage(tmp_path):
    """The worker reconnects for ever, keeps its running tasks, times out on a hung Redis, and
    uses the transport whose close survives a lost broker (config/redis_transport.py)."""
    names = (
        "CELERY_BROKER_TRANSPORT",
        "CELERY_BROKER_TRANSPORT_OPTIONS",
        "CELERY_BROKER_CONNECTION_MAX_RETRIES",
        "CELERY_BROKER_CONNECTION_RETRY",
        "CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS",
    )
    code, values, stderr = load_settings(
        "local", {"REDIS_URL": "redis://cache.internal:6379/2"}, tmp_path, *names
    )
    assert code == 0, stderr
    assert values["CELERY_BROKER_TRANSPORT"] == "config.redis_transport:Transport"
    assert values["CELERY_BROKER_CONNECTION_MAX_RETRIES"] is None
    assert values["CELERY_BROKER_CONNECTION_RETRY"] is True
    assert values["CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS"] is False
    options = values["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["visibility_timeout"] == 3600
    assert options["socket_timeout"] and options["socket_connect_timeout"]
    assert options["retry_on_timeout"] and options["socket_keepalive"]


def test_a_tls_redis_broker_keeps_kombus_own_transport(tmp_path):
    env = {"CELERY_BROKER_URL": "rediss://cache.internal:6380/0"}
    code, values, stderr = load_settings("local", env, tmp_path, "CELERY_BROKER_TRANSPORT")
    assert code == 0, stderr
    assert values["CELERY_BROKER_TRANSPORT"] is None  # its TLS checks key on the scheme name


def test_celery_broker_url_wins_over_redis_url(tmp_path):
    env = {"REDIS_URL": "redis://cache:6379/0", "CELERY_BROKER_URL": "amqp://guest@mq:5672//"}
    code, values, stderr = load_settings("local", env, tmp_path, "CELERY_BROKER_URL")
    assert code == 0, stderr
    assert values["CELERY_BROKER_URL"] == "amqp://guest@mq:5672//"


def test_no_broker_settings_give_the_filesystem_broker_under_the_var_dir(tmp_path):
    code, values, stderr = load_settings(
        "local", {}, tmp_path, "CELERY_BROKER_URL", "CELERY_BROKER_TRANSPORT_OPTIONS"
    )
    assert code == 0, stderr
    assert values["CELERY_BROKER_URL"] == "filesystem://"
    options = values["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["data_folder_in"] == options["data_folder_out"]
    assert Path(options["data_folder_in"]).is_relative_to(tmp_path / "var")
    assert Path(options["data_folder_in"]).is_dir()


def test_the_celery_app_takes_its_broker_from_settings(tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DOCKET_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": "redis://cache.internal:6379/3",
    }
    code = (
        "import environ; environ.Env.read_env = staticmethod(lambda *a, **k: None)\n"
        "from config import celery_app; c = celery_app.conf\n"
        "print(c.broker_url, c.task_serializer, c.task_acks_late, c.task_time_limit)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["redis://cache.internal:6379/3", "json", "True", "180"]


def test_email_url_selects_smtp_and_the_default_writes_files(tmp_path):
    code, values, stderr = load_settings(
        "local", {"EMAIL_URL": "smtp://mailpit:1025"}, tmp_path, "EMAIL_BACKEND", "EMAIL_HOST"
    )
    assert code == 0, stderr
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mailpit",
    }
    code, values, stderr = load_settings("local", {}, tmp_path, "EMAIL_BACKEND", "EMAIL_FILE_PATH")
    assert code == 0, stderr
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["EMAIL_FILE_PATH"] == str(tmp_path / "var" / "mail")


def _variables_read_by_settings() -> set[str]:
    pattern = re.compile(r"""\b(?:env|Env\(\))\.\w+\(\s*["']([A-Z][A-Z0-9_]*)["']""")
    names = set()
    for path in SETTINGS_DIR.glob("*.py"):
        names.update(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def test_env_example_documents_every_variable_the_settings_read():
    read = _variables_read_by_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DOCKET_VAR_DIR"} <= read
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    missing = sorted(read - documented)
    assert not missing, f".env.example does not document {missing}"


@pytest.mark.server
def test_database_url_for_postgresql_really_reaches_postgresql(postgres):
    """In CI the suite runs on PostgreSQL: this is the proof that it did."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


@pytest.mark.server
def test_redis_url_reaches_redis():
    url = os.environ.get("REDIS_URL")
    if not url:
        require_server("this test needs Redis (set REDIS_URL=redis://...)")
    import redis

    assert redis.Redis.from_url(url, socket_connect_timeout=5).ping() is True


# --- Issue 11, finding 15: the public development key is refused outside local settings -------

PUBLIC_KEY = "insecure-local-development-key-change-me"


def test_the_local_default_key_is_the_public_one_and_says_so(tmp_path):
    code, values, stderr = load_settings(
        "local", {}, tmp_path, "SECRET_KEY", "PUBLIC_DEVELOPMENT_KEYS", "DOCKET_DEMO_SETTINGS"
    )
    assert code == 0, stderr
    assert values["SECRET_KEY"] == PUBLIC_KEY
    assert PUBLIC_KEY in values["PUBLIC_DEVELOPMENT_KEYS"]
    assert values["DOCKET_DEMO_SETTINGS"] is True
    source = (SETTINGS_DIR / "local.py").read_text(encoding="utf-8")
    assert "PUBLIC KEY, FOR A DEMO ONLY" in source


@pytest.mark.parametrize("name", ["SECRET_KEY", "DOCUMENTS_KEY_ENCRYPTION_KEY"])
def test_production_refuses_the_public_development_key(tmp_path, name):
    """40 characters: the length rule alone let it through."""
    env = production_env(**{name: PUBLIC_KEY})
    code, _, stderr = load_settings("production", env, tmp_path, "DEBUG")
    assert code != 0
    assert f"{name} is the public development key" in stderr


def test_production_is_not_demo_settings(tmp_path):
    code, values, stderr = load_settings(
        "production", production_env(), tmp_path, "DOCKET_DEMO_SETTINGS"
    )
    assert code == 0, stderr
    assert values["DOCKET_DEMO_SETTINGS"] is False


# --- Issue 11, finding 9: HTTPS, HSTS and `check --deploy` with production settings -----------


def test_production_redirects_to_https_and_sends_hsts(tmp_path):
    names = (
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
    )
    code, values, stderr = load_settings("production", production_env(), tmp_path, *names)
    assert code == 0, stderr
    assert values == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }
    env = production_env(SECURE_HSTS_SECONDS="3600", SECURE_SSL_REDIRECT="false")
    code, values, stderr = load_settings("production", env, tmp_path, *names[:2])
    assert code == 0, stderr
    assert values == {"SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 3600}


def test_session_and_token_lifetimes_come_from_the_environment(tmp_path):
    env = {"SESSION_IDLE_TIMEOUT": "600", "SESSION_COOKIE_AGE": "7200", "API_TOKEN_TTL_HOURS": "2"}
    code, values, stderr = load_settings(
        "local", env, tmp_path, "SESSION_IDLE_TIMEOUT", "SESSION_COOKIE_AGE", "REST_KNOX"
    )
    assert code == 0, stderr
    assert (values["SESSION_IDLE_TIMEOUT"], values["SESSION_COOKIE_AGE"]) == (600, 7200)
    assert values["REST_KNOX"]["TOKEN_TTL"] == "2:00:00"


def manage(tmp_path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DOCKET_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    code = (
        "import sys, environ; environ.Env.read_env = staticmethod(lambda *a, **k: None)\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', *sys.argv[1:]])"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_with_production_settings_gives_no_warning(tmp_path):
    """What docker compose's migrate service runs, with the variables production requires set
    to safe values, on a migrated database: not one warning, not one silenced. A superuser
    left with a demo password then fails it (finding 1)."""
    env = production_env(SITE_URL="https://docket.example.org")
    migrated = manage(tmp_path, "migrate", "--noinput", "-v0", env=env)
    assert migrated.returncode == 0, migrated.stderr
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout

    made = manage(
        tmp_path,
        "shell",
        "-c",
        "from accounts.models import User; "
        "User.objects.create_superuser('root', 'root@example.org', 'admin')",
        env=env,
    )
    assert made.returncode == 0, made.stderr
    result = manage(tmp_path, "check", "--deploy", env=env)
    assert result.returncode != 0
    assert "workflows.E001" in result.stderr and "root" in result.stderr

"""Real servers for the Celery integration tests: an SMTP server, Redis, Celery workers.

Everything binds 127.0.0.1, every wait is bounded in time, and every process started here is
stopped by its owner (a pytest fixture) even when the test fails. Nothing here touches the
machine's shared Redis beyond the keys of one run: all keys carry a per-run prefix (kombu's
`global_keyprefix`) and are deleted afterwards by that prefix; no FLUSHDB, no FLUSHALL.

The worker is started as `python -c "...; worker_main(argv)"` rather than `celery -A config`
only to hand it broker transport options from the environment (`global_keyprefix` for
isolation, a short `visibility_timeout` for the redelivery test), which config/settings do not
read from the environment yet. It is the project's own Celery app, settings and tasks.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent.parent
TRANSPORT_OPTIONS_ENV = "DOCKET_TEST_BROKER_TRANSPORT_OPTIONS"

# Variables of the caller's environment that must not leak into a worker: it gets its own.
_WORKER_ENV_DROP = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_URL",
    "DJANGO_SETTINGS_MODULE",
    "DOCKET_VAR_DIR",
    "MEDIA_ROOT",
    "SITE_URL",
    "PYTEST_CURRENT_TEST",
    "PYTEST_ADDOPTS",
    TRANSPORT_OPTIONS_ENV,
)


# --- Waiting --------------------------------------------------------------------------------


class WaitTimeout(AssertionError):
    pass


def wait_until(
    predicate: Callable[[], object],
    *,
    timeout: float,
    what: str,
    interval: float = 0.1,
    details: Callable[[], str] | None = None,
):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            extra = f"\n{details()}" if details else ""
            raise WaitTimeout(f"timed out after {timeout:.0f}s waiting for {what}{extra}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SMTP -----------------------------------------------------------------------------------


@dataclass
class Received:
    """One message the SMTP server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    at: float

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"] or "")

    def header(self, name: str) -> str:
        return str(self.message[name] or "")

    def part(self, subtype: str) -> str:
        """The text of the text/<subtype> part ('' when there is none)."""
        for part in self.message.walk():
            if part.get_content_type() == f"text/{subtype}":
                return part.get_content()
        return ""

    @property
    def text(self) -> str:
        return self.part("plain")

    @property
    def html(self) -> str:
        return self.part("html")


@dataclass
class Attempt:
    """One answer of the server that counts as a delivery attempt (RCPT TO, or DATA)."""

    address: str
    code: int
    at: float


@dataclass
class Mailbox:
    """aiosmtpd handler: records what it accepts, refuses on demand.

    - `refuse_transiently(address, times, code=421)`: the next `times` deliveries to that address
      are answered `code` at RCPT TO (the server is overloaded, or greylists: try again later);
    - `refuse_permanently(address)`: every delivery to it gets 550 (no such mailbox).
    """

    received: list[Received] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    _transient: dict[str, tuple[int, int]] = field(default_factory=dict)
    _permanent: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refuse_transiently(self, address: str, *, times: int, code: int = 421) -> None:
        with self._lock:
            self._transient[address.lower()] = (times, code)

    def refuse_permanently(self, address: str) -> None:
        with self._lock:
            self._permanent.add(address.lower())

    def messages(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def messages_to(self, address: str) -> list[Received]:
        address = address.lower()
        return [m for m in self.messages() if address in (a.lower() for a in m.rcpt_tos)]

    def attempts_for(self, address: str) -> list[Attempt]:
        with self._lock:
            return [a for a in self.attempts if a.address == address.lower()]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        key = address.lower()
        with self._lock:
            if key in self._permanent:
                self.attempts.append(Attempt(key, 550, time.monotonic()))
                return f"550 5.1.1 <{address}>: Recipient address rejected: no such mailbox"
            times, code = self._transient.get(key, (0, 0))
            if times > 0:
                self._transient[key] = (times - 1, code)
                self.attempts.append(Attempt(key, code, time.monotonic()))
                return f"{code} 4.3.2 Service temporarily unavailable, try again later"
            self.attempts.append(Attempt(key, 250, time.monotonic()))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message, time.monotonic())
            )
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """A real SMTP server on 127.0.0.1, in a thread of this process."""
    from aiosmtpd.controller import Controller

    # aiosmtpd logs every SMTP command at INFO; the settings' console handler would print them.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


# --- Redis ----------------------------------------------------------------------------------


def redis_answers(url: str, timeout: float = 2.0) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


@dataclass
class Broker:
    """A Redis broker as Celery sees it: URL plus this run's transport options."""

    url: str
    prefix: str
    extra_options: dict = field(default_factory=dict)

    @property
    def transport_options(self) -> dict:
        return {"global_keyprefix": self.prefix, **self.extra_options}

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)

    def _keys(self, client) -> list[bytes]:
        return list(client.scan_iter(match=f"{self.prefix}*", count=500))

    def pending(self) -> dict[str, int]:
        """Messages waiting in queues and messages delivered but not acknowledged (unacked:
        running, prefetched, or waiting for a retry's countdown). Zero everywhere = idle."""
        client = self.client()
        try:
            counts: dict[str, int] = {}
            for key in self._keys(client):
                name = key.decode()[len(self.prefix) :]
                kind = client.type(key)
                if kind == b"list":
                    counts[name] = client.llen(key)
                elif kind == b"hash" and name == "unacked":
                    counts[name] = client.hlen(key)
            return {k: v for k, v in counts.items() if v}
        finally:
            client.close()

    def expire_unacked(self) -> None:
        """What the broker does when the visibility timeout of an unacknowledged message has
        passed: put it back in its queue. Done now, by kombu's own restore, instead of waiting
        for it (an hour by default). Only call it when no worker is running a task."""
        from kombu import Connection

        options = {**self.transport_options, "visibility_timeout": 0}
        with Connection(self.url, transport_options=options) as conn:
            conn.default_channel.qos.restore_visible(num=1000)

    def delete_keys(self) -> int:
        """Remove this run's keys only (by prefix); the shared Redis keeps everything else."""
        client = self.client()
        try:
            keys = self._keys(client)
            for start in range(0, len(keys), 500):
                client.delete(*keys[start : start + 500])
            return len(keys)
        finally:
            client.close()


class RedisServer:
    """A private redis-server on its own port, for broker-outage tests: without persistence
    (a restart loses what it held), or `persistent` with an append-only file as in
    docker-compose.yml (a restart keeps the queues)."""

    def __init__(self, *, port: int, workdir: Path, persistent: bool = False):
        self.port = port
        self.workdir = workdir
        self.persistent = persistent
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *, timeout: float = 15) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.workdir / "redis.log", "ab") as log:
            self.proc = subprocess.Popen(
                [
                    binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "yes" if self.persistent else "no",
                    "--appendfsync",
                    "always",
                    "--dir",
                    str(self.workdir),
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(
            lambda: self.proc.poll() is not None or redis_answers(self.url, 0.5),
            timeout=timeout,
            what=f"redis-server on port {self.port}",
        )
        assert self.proc.poll() is None, (self.workdir / "redis.log").read_text()[-2000:]

    def stop(self, *, timeout: float = 10) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=timeout)
        wait_until(
            lambda: not redis_answers(self.url, 0.3),
            timeout=timeout,
            what=f"redis-server on port {self.port} to stop",
        )


# --- Celery ---------------------------------------------------------------------------------


@contextmanager
def publishing_to(broker: Broker) -> Iterator[object]:
    """Point this process's Celery app at `broker` and stop running tasks eagerly; restore all
    afterwards.

    The app caches its connection and producer pools, and kombu keeps one pool per broker URL
    and transport options for the whole process (Celery 5.7 takes a producer from it even in
    eager mode). So: on the way in the app lets go of its pools without closing them (they are
    the other tests' pools, taken back on the way out), and gets fresh ones for `broker` (the
    per-test key prefix makes them new); on the way out it closes those and lets go of them."""
    from django.conf import settings

    from config.celery_app import app

    keys = ("broker_url", "broker_transport_options", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    saved_setting = settings.CELERY_TASK_ALWAYS_EAGER

    def let_go(*, close: bool):
        amqp = app.__dict__.get("amqp")
        pools = [app._pool, amqp._producer_pool if amqp is not None else None]
        app._pool = None
        if amqp is not None:
            amqp._producer_pool = None
        if close:
            for pool in pools:
                if pool is not None:
                    pool.force_close_all()

    let_go(close=False)
    app.conf.update(
        broker_url=broker.url,
        broker_transport_options=broker.transport_options,
        task_always_eager=False,
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield app
    finally:
        let_go(close=True)
        app.conf.update(saved)
        settings.CELERY_TASK_ALWAYS_EAGER = saved_setting


def database_url(settings_dict: dict, *, application_name: str) -> str:
    """DATABASE_URL of the database this test process uses (pytest-django's test database)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    name = quote(settings_dict["NAME"], safe="")
    return f"postgres://{auth}{host}:{port}/{name}?application_name={quote(application_name)}"


def pg_connect(settings_dict: dict, *, application_name: str):
    """A connection of its own (not Django's), e.g. to hold a lock while the worker runs."""
    import psycopg

    return psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or "127.0.0.1",
        port=settings_dict.get("PORT") or "5432",
        application_name=application_name,
        connect_timeout=5,
    )


class CeleryWorker:
    """One `celery worker` process (prefork, its own process group) with its log in a file."""

    def __init__(
        self,
        *,
        name: str,
        env: dict,
        queues: list[str],
        log_path: Path,
        concurrency=2,
        as_deployed: bool = False,
    ):
        self.name = name
        self.env = env
        self.queues = queues
        self.log_path = log_path
        self.concurrency = concurrency
        # As docker-compose.yml runs it: gossip, mingle and heartbeats on (Celery's defaults).
        self.as_deployed = as_deployed
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        bootstrap = "import sys; from tests.integration.celery_harness import worker_main; worker_main(sys.argv[1:])"
        return [
            sys.executable,
            "-c",
            bootstrap,
            "worker",
            "-Q",
            ",".join(self.queues),
            "-c",
            str(self.concurrency),
            "-P",
            "prefork",
            *([] if self.as_deployed else ["--without-gossip", "--without-mingle"]),
            "-l",
            "info",
            "-n",
            f"{self.name}@%h",
        ]

    def start(self, *, timeout: float = 60) -> CeleryWorker:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.command(),
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: one signal reaches the pool too
            )
        wait_until(
            lambda: self.proc.poll() is not None or " ready." in self.log(),
            timeout=timeout,
            what=f"worker {self.name} to be ready",
            details=self.tail,
        )
        assert self.proc.poll() is None, f"worker {self.name} exited:\n{self.tail()}"
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def tail(self, chars: int = 4000) -> str:
        return f"--- {self.log_path.name} (tail) ---\n{self.log()[-chars:]}"

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: no shutdown, no acknowledgement."""
        if self.proc is None:
            return
        self._signal_group(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, *, timeout: float = 20) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL whatever is left of the process group."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        self._signal_group(signal.SIGKILL)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


class Harness:
    """What one test started: workers, brokers, redis-servers; `shutdown()` stops them all.

    Workers run the project's settings module `settings_module` on this process's test
    database, send e-mail to the SMTP server on `smtp_port`, and build links on `site_url`."""

    def __init__(self, *, tmp_path: Path, smtp_port: int, site_url: str, settings_module: str):
        self.tmp_path = tmp_path
        self.smtp_port = smtp_port
        self.site_url = site_url
        self.settings_module = settings_module
        self.run = uuid.uuid4().hex[:10]
        self.workers: list[CeleryWorker] = []
        self.brokers: list[Broker] = []
        self.redis_servers: list[RedisServer] = []
        self.publish_broker: Broker | None = None
        (tmp_path / "var").mkdir(exist_ok=True)
        (tmp_path / "media").mkdir(exist_ok=True)

    def broker(self, url: str, **extra_options) -> Broker:
        broker = Broker(url=url, prefix=f"docket-test-{self.run}:", extra_options=extra_options)
        self.brokers.append(broker)
        return broker

    def app_name(self, worker_name: str) -> str:
        return f"docket-test-{self.run}-{worker_name}"

    def worker(
        self, broker: Broker, *, name: str, as_deployed: bool = False, **env_extra: str
    ) -> CeleryWorker:
        from django.conf import settings
        from django.db import connection

        env = {k: v for k, v in os.environ.items() if k not in _WORKER_ENV_DROP}
        env.update(
            DJANGO_SETTINGS_MODULE=self.settings_module,
            DJANGO_DEBUG="false",
            SECRET_KEY="celery-integration-test-key",
            CELERY_TASK_ALWAYS_EAGER="false",
            DATABASE_URL=database_url(
                connection.settings_dict, application_name=self.app_name(name)
            ),
            CELERY_BROKER_URL=broker.url,
            REDIS_URL=broker.url,
            EMAIL_URL=f"smtp://127.0.0.1:{self.smtp_port}",
            DOCKET_VAR_DIR=str(self.tmp_path / "var"),
            MEDIA_ROOT=str(self.tmp_path / "media"),
            SITE_URL=self.site_url,
            PYTHONUNBUFFERED="1",
            **{TRANSPORT_OPTIONS_ENV: json.dumps(broker.transport_options)},
        )
        env.update(env_extra)  # may replace any of the above (e.g. SITE_URL)
        worker = CeleryWorker(
            name=f"test{self.run}-{name}",
            env=env,
            queues=list(settings.DOCKET_QUEUES),
            log_path=self.tmp_path / f"worker-{name}.log",
            as_deployed=as_deployed,
        )
        self.workers.append(worker)
        return worker.start()

    def redis_server(self, port: int, *, persistent: bool = False) -> RedisServer:
        server = RedisServer(
            port=port, workdir=self.tmp_path / f"redis-{port}", persistent=persistent
        )
        self.redis_servers.append(server)
        return server

    def logs(self) -> str:
        return "\n".join(w.tail() for w in self.workers)

    def worker_backends(self, *, waiting_on_lock: bool = False) -> list[tuple]:
        """(pid, query) of the workers' PostgreSQL sessions (named after the worker)."""
        from django.db import connection

        sql = "SELECT pid, query FROM pg_stat_activity WHERE application_name LIKE %s"
        if waiting_on_lock:
            sql += " AND wait_event_type = 'Lock'"
        with connection.cursor() as cursor:
            cursor.execute(sql, [f"docket-test-{self.run}-%"])
            return cursor.fetchall()

    def shutdown(self) -> None:
        from django.db import connection

        errors = []
        for worker in self.workers:
            try:
                worker.stop()
            except Exception as exc:  # keep stopping the others
                errors.append(exc)
        # A backend whose worker died while it waited for a lock lives until it notices. Ours
        # only; the test database is flushed (TRUNCATE) right after this.
        try:
            wait_until(lambda: not self.worker_backends(), timeout=10, what="worker backends")
        except AssertionError:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name LIKE %s",
                    [f"docket-test-{self.run}-%"],
                )
        for server in self.redis_servers:
            try:
                server.stop()
            except Exception as exc:
                errors.append(exc)
        for broker in self.brokers:
            try:
                if redis_answers(broker.url):
                    broker.delete_keys()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]


def worker_main(argv: list[str]) -> None:
    """Entry point of a worker process: the project's Celery app, plus the transport options
    the test passed in the environment."""
    from config.celery_app import app

    options = json.loads(os.environ.get(TRANSPORT_OPTIONS_ENV) or "{}")
    if options:
        app.conf.broker_transport_options = {
            **(app.conf.broker_transport_options or {}),
            **options,
        }
    app.worker_main(argv=argv)

"""Run the embedded Docket: the web server, a Celery worker and Celery beat, stopped together.

`make run` calls this after migrating and loading the demo data. It needs no server: settings
default to SQLite and kombu's filesystem broker under var/. Each process runs in its own session
so that a Ctrl-C reaches only this supervisor, which then stops the three in order (web, beat,
then a warm shutdown of the worker) and kills whatever is left.

If the worker or beat dies, it is started again (with a line saying so), at most
MAX_RESTARTS times within RESTART_WINDOW seconds and after a pause that doubles with each
restart: background work must not stop for good because one process did. A process that keeps
dying faster than that, or the web server dying, stops all three with a non-zero exit code: a
half-running demo hides failures.

Output is shown with a prefix per process and also kept in var/log/{web,worker,beat}.log.

The three share one environment, in which SITE_URL (the address in links of letters, QR codes
and printed documents) is the address the web server is started on, unless SITE_URL is set in
the environment or in .env: `make run PORT=8001` writes links to port 8001, from the web
process and from the worker and beat alike.
"""

import argparse
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DOCKET_VAR_DIR", ROOT / "var"))
STOP_TIMEOUT = 20.0
MAX_RESTARTS = 5
RESTART_WINDOW = 300.0
# The filesystem broker has no use for gossip, mingle or heartbeats: they only add files to poll.
WORKER_ARGV = (
    "celery -A config worker -Q celery,flows,documents,notifications --concurrency 2"
    " -n docket-embedded@%h"
    " --without-gossip --without-mingle --without-heartbeat -l info"
).split()
BEAT_ARGV = "celery -A config beat -l info".split()

DEMO_LOGINS = [
    ("admin", "admin", "administrator (Django admin at /admin/)"),
    ("methodist", "demo12345", "methodist, МАУ ИМЦ"),
    ("secretary", "demo12345", "council secretary"),
    ("chair", "demo12345", "council chair"),
    ("member1", "demo12345", "council member"),
    ("member2", "demo12345", "council member"),
    ("member3", "demo12345", "council member"),
    ("official", "demo12345", "department of education official"),
    ("coord1", "demo12345", "school coordinator, МАОУ СОШ № 7 (school 1)"),
    ("coord2", "demo12345", "school coordinator, МАОУ гимназия № 18 (school 2)"),
]

_print_lock = threading.Lock()


def say(name: str, line: str) -> None:
    with _print_lock:
        sys.stdout.write(f"{name:<6} | {line}\n")
        sys.stdout.flush()


_LIBC = ctypes.CDLL(None) if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if this supervisor is killed without a chance to clean up."""
    _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class RestartBudget:
    """At most `limit` restarts within `window` seconds; the pause before each one doubles
    (1, 2, 4 ... s, at most 30 s) while restarts keep coming within the window."""

    def __init__(self, limit: int = MAX_RESTARTS, window: float = RESTART_WINDOW):
        self.limit = limit
        self.window = window
        self.times: list[float] = []

    def take(self, now: float) -> float | None:
        """Record a restart at `now`: the pause to wait before it, or None when the budget of
        the window is spent."""
        self.times = [t for t in self.times if now - t < self.window]
        if len(self.times) >= self.limit:
            return None
        self.times.append(now)
        return float(min(2 ** (len(self.times) - 1), 30))

    @property
    def used(self) -> int:
        return len(self.times)


class Service:
    def __init__(
        self,
        name: str,
        argv: list[str],
        stop_signal: int,
        whole_group: bool,
        restart: bool = False,
    ):
        self.name = name
        self.argv = argv
        self.stop_signal = stop_signal
        # Started again when it dies (the worker, beat), or the end of the run (the web).
        self.restart = restart
        self.budget = RestartBudget()
        self.restart_at: float | None = None
        # runserver's autoreloader forks a child that must get the signal as well; Celery's
        # main process must get it alone, so that it shuts its pool down warmly.
        self.whole_group = whole_group
        self.proc: subprocess.Popen | None = None
        self.ready = threading.Event()
        self.ready_marker: str | None = None
        self.log_path = VAR_DIR / "log" / f"{name}.log"

    def start(self, env: dict[str, str]) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if _LIBC is not None else None,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
        )

    def pump(self) -> None:
        """Copy output to the terminal and the log; started after every fork (see preexec_fn)."""
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        with self.log_path.open("a", encoding="utf-8") as log:
            for raw in self.proc.stdout:
                line = raw.rstrip("\n")
                log.write(raw)
                log.flush()
                say(self.name, line)
                if self.ready_marker and self.ready_marker in line:
                    self.ready.set()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, signum: int) -> None:
        if not self.alive():
            return
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            if self.whole_group:
                os.killpg(self.proc.pid, signum)
            else:
                os.kill(self.proc.pid, signum)

    def kill_leftovers(self) -> None:
        """Kill anything still in the process group (an orphaned reloader child or pool process)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def served_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches the web server on (no trailing slash).

    A server bound to every interface is reached on the loopback address here; links for other
    machines need SITE_URL set to the address they use."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def dotenv(path: Path) -> dict[str, str]:
    """The variables a .env file sets, parsed as the settings parse it (django-environ), without
    putting them into this process's environment: the children read .env themselves."""
    import environ  # from the project's virtualenv, which runs this script

    class _File(environ.Env):
        ENVIRON: dict[str, str] = {}  # read_env fills this instead of os.environ

    if path.exists():
        _File.read_env(path)
    return dict(_File.ENVIRON)


def service_env(
    base: Mapping[str, str], *, host: str, port: int, dotenv_vars: Mapping[str, str]
) -> dict[str, str]:
    """The environment of web, worker and beat. SITE_URL given in the environment or in .env
    wins (a proxy or tunnel in front); otherwise it is the address served, so that links built
    by any of the three processes open this server, whatever PORT says."""
    env = dict(base, PYTHONUNBUFFERED="1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    if not env.get("SITE_URL") and not dotenv_vars.get("SITE_URL"):
        env["SITE_URL"] = served_url(host, port)
    return env


def banner(url: str, site_url: str) -> str:
    width = max(len(user) for user, _, _ in DEMO_LOGINS)
    rows = "\n".join(
        f"  {user:<{width}}  {password:<9}  {who}" for user, password, who in DEMO_LOGINS
    )
    links = (
        ""
        if site_url.rstrip("/") == url.rstrip("/")
        else f"Links in letters and documents: {site_url} (SITE_URL)\n"
    )
    return (
        f"\nDocket is running at {url}\n{links}\n"
        f"  {'login':<{width}}  {'password':<9}  who\n{rows}\n\n"
        f"Logs: {VAR_DIR / 'log'}/{{web,worker,beat}}.log. Press Ctrl-C to stop all three.\n"
    )


def supervise(services: list[Service], env: dict[str, str], now: float) -> bool:
    """One round of the supervisor: restart what died and may be restarted, once its pause
    is over. False when the run must end (the web died, or a process used up its restarts)."""
    for service in services:
        if service.restart_at is not None:
            if now >= service.restart_at:
                service.restart_at = None
                service.start(env)
                service.pump()
                say("run", f"{service.name} started again (pid {service.proc.pid})")
            continue
        if service.alive():
            continue
        code = service.proc.returncode
        service.kill_leftovers()  # pool processes of a killed worker must not linger
        pause = service.budget.take(now) if service.restart else None
        if pause is None:
            why = (
                f"it died {service.budget.used} times within {RESTART_WINDOW:.0f}s"
                if service.restart
                else "it is not restarted"
            )
            say("run", f"{service.name} exited with code {code} ({why}): stopping the rest")
            return False
        say(
            "run",
            f"{service.name} exited with code {code}: starting it again in {pause:.0f}s "
            f"(restart {service.budget.used} of at most {MAX_RESTARTS} "
            f"within {RESTART_WINDOW:.0f}s)",
        )
        service.restart_at = now + pause
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()

    if port_open(args.host, args.port):
        print(
            f"Port {args.port} on {args.host} is already in use: stop the other server "
            f"or choose another port, e.g. `make run PORT={args.port + 1}`.",
            file=sys.stderr,
        )
        return 1

    py = sys.executable
    host_for_url = f"[{args.host}]" if ":" in args.host else args.host
    dotenv_vars = dotenv(ROOT / ".env")
    env = service_env(os.environ, host=args.host, port=args.port, dotenv_vars=dotenv_vars)
    site_url = env.get("SITE_URL") or dotenv_vars["SITE_URL"]
    url = served_url(args.host, args.port) + "/"

    web = Service(
        "web",
        [py, "manage.py", "runserver", f"{host_for_url}:{args.port}"],
        signal.SIGTERM,
        whole_group=True,
    )
    worker = Service(
        "worker", [py, "-m", *WORKER_ARGV], signal.SIGTERM, whole_group=False, restart=True
    )
    worker.ready_marker = " ready."
    beat_argv = [py, "-m", *BEAT_ARGV, "-s", str(VAR_DIR / "celerybeat-schedule")]
    beat = Service("beat", beat_argv, signal.SIGTERM, whole_group=False, restart=True)
    services = [web, worker, beat]

    stopping = threading.Event()

    def on_signal(signum, _frame):
        if not stopping.is_set():
            say("run", f"got {signal.Signals(signum).name}: stopping web, beat and worker")
        stopping.set()

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)

    exit_code = 0
    try:
        for service in services:
            service.start(env)
        for service in services:
            service.pump()
        pids = ", ".join(f"{s.name} (pid {s.proc.pid})" for s in services)
        say("run", f"started {pids}")

        announced = False
        deadline = time.monotonic() + 90
        while not stopping.is_set():
            if not supervise(services, env, time.monotonic()):
                exit_code = 1
                break
            if not announced:
                web_up = port_open(args.host, args.port)
                if web_up and (worker.ready.is_set() or time.monotonic() > deadline):
                    if not worker.ready.is_set():
                        say("run", "the worker has not said it is ready: see var/log/worker.log")
                    with _print_lock:
                        print(banner(url, site_url), flush=True)
                    announced = True
            stopping.wait(0.3)
    finally:
        for service in (web, beat, worker):
            service.signal(service.stop_signal)
        end = time.monotonic() + STOP_TIMEOUT
        for service in (web, beat, worker):
            if service.proc is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    service.proc.wait(timeout=max(0.1, end - time.monotonic()))
        for service in services:
            service.kill_leftovers()
        say("run", "all stopped")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())

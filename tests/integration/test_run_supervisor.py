"""`make run`'s supervisor (scripts/run.py): a worker that dies is started again, within a
bounded rate, and says so; Ctrl-C still stops everything."""

import importlib.util
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.integration.celery_harness import BASE_DIR, free_port, wait_until

spec = importlib.util.spec_from_file_location("docket_run", BASE_DIR / "scripts" / "run.py")
run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run)


def test_the_restart_budget_doubles_the_pause_and_runs_out_within_its_window():
    budget = run.RestartBudget(limit=3, window=60)
    assert [budget.take(t) for t in (0, 1, 2)] == [1.0, 2.0, 4.0]
    assert budget.take(3) is None  # a fourth death within the minute: give up
    assert budget.take(61) == 2.0  # the first restart left the window: one more is allowed


class Supervisor:
    """scripts/run.py in a process of its own, its output collected line by line."""

    def __init__(self, tmp_path):
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "PYTEST_CURRENT_TEST")
        }
        env.update(
            DOCKET_VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="config.settings.local"
        )
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "scripts/run.py", "--port", str(free_port())],
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str, *, after: int = 0, timeout: float = 90) -> re.Match:
        return wait_until(
            lambda: next(
                (m for line in self.lines[after:] if (m := re.search(pattern, line))), None
            ),
            timeout=timeout,
            what=f"the supervisor to print {pattern!r}",
            details=lambda: self.output()[-4000:],
        )

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@pytest.fixture
def supervisor(tmp_path):
    started = Supervisor(tmp_path)
    try:
        yield started
    finally:
        started.stop()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_worker_killed_under_make_run_is_started_again_and_the_rest_keeps_running(supervisor):
    started = supervisor.wait_for(
        r"started web \(pid (\d+)\), worker \(pid (\d+)\), beat \(pid (\d+)\)"
    )
    web_pid, worker_pid, beat_pid = (int(pid) for pid in started.groups())
    supervisor.wait_for(r"^worker +\|.* ready\.")
    mark = len(supervisor.lines)

    os.kill(worker_pid, signal.SIGKILL)  # no warm shutdown: the OOM killer, say
    supervisor.wait_for(r"worker exited with code -9: starting it again in 1s", after=mark)
    again = supervisor.wait_for(r"worker started again \(pid (\d+)\)", after=mark)
    assert int(again.group(1)) != worker_pid
    supervisor.wait_for(r"^worker +\|.* ready\.", after=mark)
    assert supervisor.proc.poll() is None
    assert _alive(web_pid) and _alive(beat_pid)
    assert "stopping the rest" not in supervisor.output()

    supervisor.stop()
    assert supervisor.proc.returncode == 0, supervisor.output()[-3000:]
    assert "all stopped" in supervisor.output()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(int(again.group(1))):
        time.sleep(0.2)
    assert not _alive(int(again.group(1)))

#!/usr/bin/env python
"""Queries per step and cases per second of the application review, against bare viewflow.

    python bench/run.py [--n N] [--rounds R] [--json] [--show-sql]

Runs from the repository root on a throw-away test database created like pytest-django does
(SQLite file in a temporary directory by default; PostgreSQL `<NAME>_bench_<pid>` when
DATABASE_URL points at PostgreSQL). The development database is never opened. See bench/README.md.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `python bench/run.py` puts bench/ first on sys.path; the project root is what we import from.
sys.path[:1] = [str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

# A "case" of each engine: the user actions in order. Ours is the core story with one return.
OUR_STEPS = ["submit", "check_return", "resubmit", "check_accept", "council_grant", "approve_grant"]
BARE_STEPS = ["start", "task_1", "task_2", "task_3"]


def _django_setup(tmpdir: str) -> None:
    """Add the bare flow's app and point the test database somewhere nobody else uses."""
    import django
    from django.conf import settings

    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "bench"]
    db = settings.DATABASES["default"]
    test = db.setdefault("TEST", {})
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # A file, not Django's default in-memory test database: the embedded default writes a
        # file, and its fsyncs are part of the cost.
        test["NAME"] = str(Path(tmpdir) / "bench.sqlite3")
    else:
        # Not test_<NAME>: a pytest run on the same server at the same time must not collide.
        test["NAME"] = f"{db['NAME'] or 'docket'}_bench_{os.getpid()}"
    django.setup()


# --- Data (made before any measurement) -----------------------------------------------------


def _people(program):
    from django.contrib.auth.models import Group

    from accounts.models import User
    from applications import roles
    from programmes.models import ProgrammeStaff

    roles.roles_sync()
    people = {}
    for key, group in (
        ("methodist", roles.METHODISTS),
        ("secretary", roles.SECRETARIES),
        ("official", roles.DEPARTMENT),
    ):
        user = User.objects.create_user(username=f"bench-{key}", first_name=key, last_name="Bench")
        # Serving the programme puts the person in the role's group (programmes.services).
        ProgrammeStaff.objects.create(
            user=user, program=program, group=Group.objects.get(name=group)
        )
        people[key] = user.pk
    return people


def _program():
    from applications import regulations
    from programmes import services as programme_services
    from programmes.models import Program

    program = Program.objects.create(
        code="bench",
        title="Benchmark programme",
        council_name="Council",
        authority_name="Department",
        status_name="Network platform",
        registration_prefix="БЧ",
    )
    programme_services.form_first_version(program=program, definition=regulations.TOMSK_FORM)
    return program


def _council(program, people: dict) -> None:
    """The programme's council: the secretary, a chair and a member (people gets "chair")."""
    from accounts.models import User
    from councils.models import Council, CouncilMember

    council = Council.objects.create(program=program, name="Council")
    chair = User.objects.create_user(username="bench-chair", first_name="chair", last_name="Bench")
    member = User.objects.create_user(username="bench-member", first_name="member")
    since = date(2000, 1, 1)
    for user_id, role in (
        (people["secretary"], CouncilMember.Role.SECRETARY),
        (chair.pk, CouncilMember.Role.CHAIR),
        (member.pk, CouncilMember.Role.MEMBER),
    ):
        CouncilMember.objects.create(council=council, user_id=user_id, role=role, valid_from=since)
    people["chair"] = chair.pk
    people["council"] = council.pk
    # Chair and secretary sign the protocol's PDF with their own keys.
    from documents.services import signer_certificate_issue

    for user_id in (chair.pk, people["secretary"]):
        signer_certificate_issue(user=User.objects.get(pk=user_id))


def _drafts(program, count: int, tag: str) -> list[tuple[int, int]]:
    """Complete drafts of distinct schools (one active status per school): (application, author)."""
    from accounts.models import User
    from applications.models import Application, PlannedEvent
    from programmes.models import Organisation, OrganisationMembership

    drafts = []
    for i in range(count):
        school = Organisation.objects.create(name=f"School {tag}{i}", short_name=f"S{tag}{i}")
        author = User.objects.create_user(username=f"bench-coord-{tag}{i}")
        OrganisationMembership.objects.create(user=author, organisation=school)
        application = Application.objects.create(
            program=program,
            organisation=school,
            created_by=author,
            topic="Mentoring young teachers",
            direction="competence",
            goals="Goals",
            tasks="Tasks",
            expected_results="Results",
            responsible_name="Ivanova M. P.",
            responsible_position="Deputy head",
            responsible_phone="+7 3822 00-00-00",
        )
        PlannedEvent.objects.bulk_create(
            PlannedEvent(application=application, year_index=y, title=f"Seminar {y}", timing="Oct")
            for y in (1, 2, 3)
        )
        drafts.append((application.pk, author.pk))
    return drafts


# --- One case of each engine ----------------------------------------------------------------


def _user(pk):
    """A fresh user object per step, as each request loads its own (and its permission cache)."""
    from accounts.models import User

    return User.objects.get(pk=pk)


def _our_open_task_id(application_id: int) -> int:
    from viewflow.workflow.models import Task

    from applications.selectors import OPEN_TASK_STATUSES

    return (
        Task.objects.filter(process__application__pk=application_id, status__in=OPEN_TASK_STATUSES)
        .values_list("pk", flat=True)
        .get()
    )


def _our_case(draft: tuple[int, int], people: dict, number: int, measure) -> None:
    """submit → methodist returns → applicant resubmits → accepts → council grants → approved."""
    from applications import services

    application_id, author_id = draft
    today = date.today()

    def submit(user):
        services.application_submit(application_id=application_id, user=user)

    def step(data):
        def run(user):
            task_id = _our_open_task_id(application_id)
            with measure.inner():
                services.task_complete(task_id=task_id, user=user, data=data)

        return run

    def council_grant(user):
        """A one-question meeting (agenda, attendance, votes, closing, the chair's sign-off);
        the counted action is the secretary's sign-off that signs the protocol and passes the
        case to the department, as the council's decision step did before meetings existed."""
        from councils import selectors as councils_selectors
        from councils import services as councils

        meeting = councils.meeting_create(council_id=people["council"], user=user, date=today)
        item = councils.agenda_item_add(
            meeting_id=meeting.pk, user=user, application_id=application_id
        )
        seats = list(councils_selectors.members_on(meeting.council, today))
        councils.attendance_record(
            meeting_id=meeting.pk, user=user, member_ids=[s.pk for s in seats], guests=[]
        )
        councils.meeting_open(meeting_id=meeting.pk, user=user)
        councils.item_voting_start(item_id=item.pk, user=user)
        for seat in seats:
            councils.vote_cast(item_id=item.pk, user=seat.user, choice="for")
        councils.item_close(
            item_id=item.pk, user=user, heard="Secretary", spoke="", decided="Meets the rules"
        )
        protocol = councils.meeting_close(meeting_id=meeting.pk, user=user)
        measure.drain()  # the worker renders the protocol's PDF before anyone signs it
        councils.protocol_sign(protocol_id=protocol.pk, user=_user(people["chair"]))
        with measure.inner():
            councils.protocol_sign(protocol_id=protocol.pk, user=user)

    plan = [
        ("submit", author_id, submit),
        ("check_return", people["methodist"], step({"decision": "return", "comment": "Fix"})),
        ("resubmit", author_id, submit),
        ("check_accept", people["methodist"], step({"decision": "accept", "comment": ""})),
        ("council_grant", people["secretary"], council_grant),
        (
            "approve_grant",
            people["official"],
            step(
                {
                    "decision": "approve",
                    "order_number": f"{number}-р",
                    "order_date": today,
                    "comment": "",
                }
            ),
        ),
    ]
    for name, user_id, action in plan:
        measure.step(name, action, _user(user_id))


def _bare_case(user_id: int, measure) -> None:
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from bench.flows import BareFlow

    process = None

    def start(user):
        nonlocal process
        process = BareFlow.start.run()

    def task(user):
        task = Task.objects.get(process_id=process.pk, status=STATUS.NEW)
        with measure.inner(), task.activation() as activation:
            activation.assign(user)
            activation.start(None)
            activation.execute()

    measure.step("start", start, _user(user_id))
    for name in BARE_STEPS[1:]:
        measure.step(name, task, _user(user_id))


# --- Measuring ------------------------------------------------------------------------------


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Worker:
    """The Celery worker, run by hand between steps. In production `.delay`/`.apply_async`
    is a broker write after commit and the task runs in a worker, not in the request: the
    bench queues each task instead of running it eagerly, and runs the queue after the step
    (rendering print forms, the status-grant job), counted and timed apart as background work.
    E-mail delivery is counted, not run: sending letters is not part of a case."""

    def __init__(self):
        self.queue: list = []
        self.tasks = 0
        self.emails = 0

    def patched(self):
        from unittest import mock

        from celery.app.task import Task

        worker = self

        def apply_async(task, args=None, kwargs=None, **options):
            worker.enqueue(task, args, kwargs)

        return mock.patch.object(Task, "apply_async", apply_async)

    def enqueue(self, task, args, kwargs) -> None:
        from notifications.tasks import deliver_notification

        if task.name == deliver_notification.name:
            self.emails += 1
            return
        self.queue.append((task, tuple(args or ()), dict(kwargs or {})))

    def drain(self) -> None:
        """Run what the step queued, and what those tasks queue in turn, as the worker would."""
        while self.queue:
            task, args, kwargs = self.queue.pop(0)
            result = task.apply(args=args, kwargs=kwargs)
            self.tasks += 1
            if result.failed():
                raise RuntimeError(f"background task {task.name} failed: {result.result!r}")


class _Stopwatch:
    def __init__(self, timed):
        self.timed = timed

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.timed.inner_seconds = time.perf_counter() - self.started
        return False


class Timed:
    """Runs steps without looking at them: the timed rounds. A step's own time is its inner
    part when it has one (the counted action, as for the queries), else all of it; the whole
    request-path time of a case (a council's meeting included) feeds cases per second; the
    background work (the worker's) is timed apart."""

    def __init__(self, worker: Worker):
        self.worker = worker
        self.foreground = 0.0
        self.background = 0.0
        self.per_step: dict[str, float] = {}
        self.inner_seconds = None
        self._drained = 0.0

    def inner(self):
        return _Stopwatch(self)

    def drain(self):
        started = time.perf_counter()
        self.worker.drain()
        self._drained += time.perf_counter() - started

    def step(self, name, action, user):
        self.inner_seconds, self._drained = None, 0.0
        started = time.perf_counter()
        action(user)
        whole = time.perf_counter() - started - self._drained
        self.drain()
        self.foreground += whole
        self.background += self._drained
        own = whole if self.inner_seconds is None else self.inner_seconds
        self.per_step[name] = self.per_step.get(name, 0.0) + own


class Counted:
    """Captures the SQL of each step, and apart from it the SQL of the background work the
    step queued. Looking up the open task's id stands for the URL of the request and is left
    out, as is loading the user (the same for every engine)."""

    def __init__(self, worker: Worker):
        self.worker = worker
        self.queries: dict[str, list[str]] = {}
        self.background: dict[str, list[str]] = {}
        self._capture = None

    def inner(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._capture = CaptureQueriesContext(connection)
        return self._capture

    def drain(self):
        self.worker.drain()

    def step(self, name, action, user):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._capture = None
        with CaptureQueriesContext(connection) as whole:
            action(user)
        captured = self._capture or whole
        self.queries[name] = [q["sql"] for q in captured.captured_queries]
        with CaptureQueriesContext(connection) as later:
            self.worker.drain()
        self.background[name] = [q["sql"] for q in later.captured_queries]


def run(n: int, rounds: int) -> dict:
    from django.db import connection

    from applications.models import Application
    from statuses.models import Status

    program = _program()
    people = _people(program)
    _council(program, people)
    per_round = n
    drafts = iter(_drafts(program, 2 + rounds * per_round, "o"))
    numbers = iter(range(1, 10**9))

    results = {"ours": {}, "bare": {}}
    worker = Worker()
    with worker.patched():
        # Warm-up (imports, ContentType cache, first-time statements), then one counted case each.
        _our_case(next(drafts), people, next(numbers), Timed(worker))
        _bare_case(people["methodist"], Timed(worker))
        ours_counted, bare_counted = Counted(worker), Counted(worker)
        _our_case(next(drafts), people, next(numbers), ours_counted)
        _bare_case(people["methodist"], bare_counted)
        emails_before, tasks_before = worker.emails, worker.tasks

        # Timed rounds, alternating so that drift of the machine hits both engines alike.
        timings = {"ours": [], "bare": []}
        background, step_seconds, bare_step_seconds = [], [], []
        for _ in range(rounds):
            batch = [next(drafts) for _ in range(per_round)]
            timed = Timed(worker)
            for draft in batch:
                _our_case(draft, people, next(numbers), timed)
            timings["ours"].append(timed.foreground)
            background.append(timed.background)
            step_seconds.append(timed.per_step)
            timed = Timed(worker)
            for _ in range(per_round):
                _bare_case(people["methodist"], timed)
            timings["bare"].append(timed.foreground)
            bare_step_seconds.append(timed.per_step)
        emails = worker.emails - emails_before
        tasks = worker.tasks - tasks_before

    checks = _checks(2 + rounds * per_round, Application, Status)
    own_seconds = {"ours": step_seconds, "bare": bare_step_seconds}
    for key, counted, steps in (
        ("ours", ours_counted, OUR_STEPS),
        ("bare", bare_counted, BARE_STEPS),
    ):
        per_step = {name: len(counted.queries[name]) for name in steps}
        later = {name: len(counted.background[name]) for name in steps}
        seconds = statistics.median(timings[key])
        results[key] = {
            "steps": steps,
            "queries_per_step": per_step,
            "queries_per_case": sum(per_step.values()),
            "queries_per_action": sum(per_step.values()) / len(steps),
            "background_queries_per_step": later,
            "background_queries_per_case": sum(later.values()),
            "round_seconds": [round(s, 4) for s in timings[key]],
            "cases_per_second": per_round / seconds,
            "ms_per_action": 1000
            * statistics.median(sum(r.values()) for r in own_seconds[key])
            / (per_round * len(steps)),
            "sql": {name: counted.queries[name] for name in steps},
            "background_sql": {name: counted.background[name] for name in steps},
        }
    results["ours"]["ms_per_step"] = {
        name: 1000 * statistics.median(r[name] for r in step_seconds) / per_round
        for name in OUR_STEPS
    }
    results["ours"]["background_ms_per_case"] = 1000 * statistics.median(background) / per_round
    ours, bare = results["ours"], results["bare"]
    results["ratios"] = {
        "queries_per_case": ours["queries_per_case"] / bare["queries_per_case"],
        "queries_per_action": ours["queries_per_action"] / bare["queries_per_action"],
        "cases_per_second": ours["cases_per_second"] / bare["cases_per_second"],
        "ms_per_action": ours["ms_per_action"] / bare["ms_per_action"],
    }
    results["notifications_enqueued_per_case"] = emails / (rounds * per_round)
    results["background_tasks_per_case"] = tasks / (rounds * per_round)
    results["checks"] = checks
    results["n"] = n
    results["rounds"] = rounds
    results["database"] = _database_description(connection)
    results["environment"] = _environment()
    return results


def _checks(cases: int, Application, Status) -> dict:
    """The benchmark is only worth reading if every case really went through."""
    from viewflow.workflow.models import Process

    from applications.flows import REVIEW_FLOWS
    from audit.services import audit_verify_chain
    from bench.flows import BareFlow

    ok, events, _broken = audit_verify_chain()
    return {
        "cases_granted": Application.objects.filter(state=Application.State.GRANTED).count(),
        "statuses": Status.objects.count(),
        "our_processes_done": Process.objects.filter(
            flow_class__in=REVIEW_FLOWS, status="DONE"
        ).count(),
        "bare_processes_done": Process.objects.filter(flow_class=BareFlow, status="DONE").count(),
        "expected": cases,
        "audit_chain_ok": ok,
        "audit_events": events,
    }


def _database_description(connection) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (file, IMMEDIATE transactions)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def _environment() -> dict:
    from importlib.metadata import version

    return {
        "python": platform.python_version(),
        "django": version("django"),
        "viewflow": version("django-viewflow"),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
    }


# --- Output ---------------------------------------------------------------------------------


def _table(r: dict) -> str:
    ours, bare, ratios = r["ours"], r["bare"], r["ratios"]
    lines = [
        f"Docket bench: {r['database']}, Django {r['environment']['django']}, "
        f"viewflow {r['environment']['viewflow']}, Python {r['environment']['python']}, "
        f"{r['environment']['cpus']} CPUs",
        f"{r['rounds']} rounds of {r['n']} cases per engine; figures are medians of the rounds.",
        "",
        "SQL queries per step (one warm case, CaptureQueriesContext); in brackets the",
        "background work the step queued for the worker (print forms, the status grant job);",
        "then our median milliseconds per step",
        f"  {'ours':<16}{'queries':>8}    {'bare viewflow':<16}{'queries':>8}",
    ]
    rows = max(len(ours["steps"]), len(bare["steps"]))
    for i in range(rows):
        left = right = ""
        if i < len(ours["steps"]):
            name = ours["steps"][i]
            later = ours["background_queries_per_step"][name]
            left = f"{name:<16}{ours['queries_per_step'][name]:>8}"
            left += f" [{later}]" if later else ""
            left += f" {ours['ms_per_step'][name]:.0f} ms"
        if i < len(bare["steps"]):
            name = bare["steps"][i]
            right = f"{name:<16}{bare['queries_per_step'][name]:>8}"
        lines.append(f"  {left:<36}    {right}")
    lines += [
        f"  {'per case':<16}{ours['queries_per_case']:>8}    "
        f"{'per case':<16}{bare['queries_per_case']:>8}",
        f"  {'per action':<16}{ours['queries_per_action']:>8.1f}    "
        f"{'per action':<16}{bare['queries_per_action']:>8.1f}",
        "",
        f"  {'':<22}{'ours':>10}{'bare':>10}{'ours/bare':>12}",
        f"  {'queries per case':<22}{ours['queries_per_case']:>10}{bare['queries_per_case']:>10}"
        f"{ratios['queries_per_case']:>12.2f}",
        f"  {'queries per action':<22}{ours['queries_per_action']:>10.1f}"
        f"{bare['queries_per_action']:>10.1f}{ratios['queries_per_action']:>12.2f}",
        f"  {'cases per second':<22}{ours['cases_per_second']:>10.1f}"
        f"{bare['cases_per_second']:>10.1f}{ratios['cases_per_second']:>12.2f}",
        f"  {'ms per action':<22}{ours['ms_per_action']:>10.2f}{bare['ms_per_action']:>10.2f}"
        f"{ratios['ms_per_action']:>12.2f}",
        "",
        f"A case: ours = {len(ours['steps'])} actions ({', '.join(ours['steps'])}); "
        f"bare = {len(bare['steps'])} actions ({', '.join(bare['steps'])}).",
        f"E-mails enqueued per case (not sent; a worker's job): "
        f"{r['notifications_enqueued_per_case']:g}.",
        f"Background work per case (ours; run between steps as the worker would, not in the "
        f"figures above): {r['background_tasks_per_case']:g} tasks, "
        f"{ours['background_queries_per_case']} queries, "
        f"{ours['background_ms_per_case']:.0f} ms.",
    ]
    checks = r["checks"]
    lines.append(
        "Checks: {cases_granted}/{expected} granted, {statuses} statuses, "
        "{our_processes_done} + {bare_processes_done} processes done, audit chain "
        "{chain} ({audit_events} events).".format(
            chain="intact" if checks["audit_chain_ok"] else "BROKEN", **checks
        )
    )
    return "\n".join(lines)


def _checks_passed(checks: dict) -> bool:
    expected = checks["expected"]
    return (
        checks["audit_chain_ok"]
        and checks["cases_granted"] == expected
        and checks["statuses"] == expected
        and checks["our_processes_done"] == expected
        and checks["bare_processes_done"] == expected
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50, help="cases per round and engine (50)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per engine (3)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument(
        "--show-sql", action="store_true", help="also give the SQL of every counted step"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.rounds < 1:
        parser.error("--n and --rounds must be at least 1")

    with tempfile.TemporaryDirectory(prefix="docket-bench-") as tmpdir:
        _django_setup(tmpdir)
        from django.test.utils import (
            setup_databases,
            setup_test_environment,
            teardown_databases,
            teardown_test_environment,
        )

        setup_test_environment()
        old_config = setup_databases(verbosity=0, interactive=False)
        try:
            results = run(args.n, args.rounds)
        finally:
            teardown_databases(old_config, verbosity=0)
            teardown_test_environment()

    if not args.show_sql:
        for engine in ("ours", "bare"):
            del results[engine]["sql"]
            del results[engine]["background_sql"]
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        print(_table(results))
        if args.show_sql:
            for engine in ("ours", "bare"):
                for part in ("sql", "background_sql"):
                    for step, queries in results[engine][part].items():
                        where = "" if part == "sql" else " (background)"
                        print(f"\n--- {engine} {step}{where}: {len(queries)} queries")
                        for sql in queries:
                            print(f"  {sql}")
    if not _checks_passed(results["checks"]):
        print("bench: some cases did not complete; the figures are not valid", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Intake under load.

`intake_api`: 50 concurrent clients, spread over the 12 town windows, submit applications through
`POST /api/v1/applications` (bearer token, two policies each, so two routed tasks and a 补正 check per request) to a real `onedoor serve`
(waitress, 8 threads) started as a subprocess on the bench database; then the same 50 clients call a
bare Django JSON view (one small query, no auth) on the same server. The figure is seconds per request
(1 / throughput) against the bare view's: ratio ≤ 2.5 means ≥ 40% of the bare throughput. p95 latency of
the submissions is in the notes (target < 100 ms) — under 50 closed-loop clients that is mostly the queue
(Little's law: 50 ÷ throughput) — and, beside it, the p95 of 200 submissions from a single client.

`intake_task_list`: a dispatcher's task queue on a large task table — the scoped, filtered count (bounded
at 1,000 as `GET /api/v1/tasks` counts) and first page as `selectors.tasks_for_queue` builds them, against
the same reads in hand-written SQL; the
notes add the p95 of the whole `GET /api/v1/tasks` request (target < 150 ms). That the list's query count
does not grow with the page is asserted in tests/intake/test_intake_api.py.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta

from django.db import connection

from bench.runner import case

CLIENTS = 50
SOLO = 200  # submissions of the single-client run
SERVER_THREADS = 8
PAGE = 50
SETTINGS_MODULE = "bench.cases.intake_settings"


# --- shared set-up -------------------------------------------------------------------------------

def _world() -> None:
    from onedoor.accounts.models import User
    from onedoor.demo.demo_steps import load_demo_accounts, load_demo_areas, load_demo_organisations

    if not User.objects.filter(username="dispatcher").exists():
        load_demo_areas({})
        load_demo_organisations({})
        load_demo_accounts({})


def _policies() -> list:
    from onedoor.accounts.models import Organisation
    from onedoor.policies.models import Policy

    bureau = Organisation.objects.get(short_name="区民政局")
    rs = Organisation.objects.get(short_name="人社局")
    specs = [("bench-dibao", "最低生活保障", bureau, ["身份证", "户口簿"]),
             ("bench-job", "就业援助", rs, ["身份证"]),
             ("bench-medical", "医疗救助", bureau, ["病历"])]
    return [Policy.objects.get_or_create(code=code, defaults={
        "name": name, "department": department, "kind": "monthly_cash", "time_limit_days": 30,
        "required_documents": documents})[0] for code, name, department, documents in specs]


def _token(username: str) -> str:
    from onedoor.accounts.actions import issue_api_token
    from onedoor.accounts.models import User

    _, raw = issue_api_token(user=User.objects.get(username=username))
    return raw


def _p95_ms(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] * 1000 if len(samples) >= 2 else samples[0] * 1000


# --- intake_api -----------------------------------------------------------------------------------

def _applicants(count: int) -> list[tuple[int, int]]:
    """(person id, window id) for each client: the clients are spread over the district's town windows, as
    the day's applications are; each applicant lives in a village of their window's town."""
    from onedoor.accounts.models import Organisation
    from onedoor.core.idnumber import make_id_number
    from onedoor.geo.models import Area
    from onedoor.registry.actions import register_person
    from onedoor.registry.models import Person

    windows = list(Organisation.objects.filter(kind="town_office").order_by("area_id").values_list("pk", "area_id"))
    found = []
    for n in range(count):
        window, town = windows[n % len(windows)]
        village = Area.objects.filter(parent_id=town).order_by("code").first() or Area.objects.get(code=town)
        number = make_id_number("350212", date(1950, 1, 1) + timedelta(days=n), 501 + (n % 200))
        person = Person.objects.filter(id_number=number).first() or register_person(
            actor=None, data={"name": f"基准申请人{n}", "id_number": number, "residence_area": village})
        found.append((person.pk, window))
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`onedoor serve --no-worker` in a subprocess on the bench database, with the bare view added."""

    def __init__(self):
        self.port = _free_port()
        env = dict(os.environ, DJANGO_SETTINGS_MODULE=SETTINGS_MODULE)
        # The server's log goes to a file: a pipe nobody reads would fill up and stall the server.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "onedoor", "serve", "--no-worker", "--port", str(self.port),
             "--threads", str(SERVER_THREADS)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, text=True)
        self.base = f"http://127.0.0.1:{self.port}"
        self._wait()

    def _wait(self) -> None:
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"onedoor serve exited: {self.tail()}")
            try:
                if requests.get(f"{self.base}/bench/bare/", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("onedoor serve did not start within 60 s")

    def tail(self) -> str:
        self.log.seek(0)
        return self.log.read()[-3000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _hammer(total: int, call) -> tuple[float, list[float], int]:
    """`total` calls spread over CLIENTS threads (each with its own keep-alive session): wall seconds,
    per-call latencies, failures."""
    import requests

    lock = threading.Lock()
    state = {"next": 0, "failed": 0}
    latencies: list[float] = []
    start_gate = threading.Barrier(CLIENTS + 1)

    def client(index: int) -> None:
        session = requests.Session()
        start_gate.wait()
        mine = []
        while True:
            with lock:
                n = state["next"]
                state["next"] += 1
            if n >= total:
                break
            began = time.perf_counter()
            ok = call(session, index, n)
            mine.append(time.perf_counter() - began)
            if not ok:
                with lock:
                    state["failed"] += 1
        with lock:
            latencies.extend(mine)
        session.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies, state["failed"]


def _one_client(total: int, call) -> list[float]:
    """`total` calls one after another from a single client: per-call latencies."""
    import requests

    latencies = []
    with requests.Session() as session:
        for n in range(total):
            began = time.perf_counter()
            if not call(session, 0, n):
                raise RuntimeError(f"intake_api: call {n} of the single client failed")
            latencies.append(time.perf_counter() - began)
    return latencies


@case("intake_api", description="50 个并发客户端提交申请（API）与同一服务器上的裸 Django JSON 视图比较（每请求秒数）",
      target_ratio=2.5, default_scale=2000)
def intake_api(scale: int):
    from onedoor.intake.models import Application

    _world()
    policies = _policies()
    applicants = _applicants(CLIENTS)
    token = _token("dispatcher")  # may take applications at every window
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    codes = [policies[0].code, policies[1].code]
    before = Application.objects.count()
    server = Server()
    try:
        def submit(session, index: int, n: int) -> bool:
            applicant, window = applicants[index]
            body = {"applicant_id": applicant, "window_id": window, "policies": codes, "statement": f"基准申请 {n}",
                    "documents": ["身份证", "户口簿"], "consent_to_checks": True}
            response = session.post(f"{server.base}/api/v1/applications", data=json.dumps(body), headers=headers,
                                    timeout=60)
            return response.status_code == 201

        def bare(session, index: int, n: int) -> bool:
            return session.get(f"{server.base}/bench/bare/", timeout=60).status_code == 200

        warm = max(CLIENTS, scale // 20)
        _hammer(warm, bare)
        _hammer(warm, submit)
        ours, our_latencies, failed = _hammer(scale, submit)
        baseline, bare_latencies, bare_failed = _hammer(scale, bare)
        alone = _one_client(SOLO, submit)  # the work of one submission, without the 50-client queue
    finally:
        server.stop()
    made = Application.objects.count() - before
    if failed or bare_failed or made != scale + warm + SOLO:
        raise RuntimeError(f"intake_api: {failed} submissions and {bare_failed} bare calls failed; "
                           f"{made} applications made of {scale + warm + SOLO}\n{server.tail()}")
    notes = (f"{CLIENTS} clients over 12 town windows, waitress {SERVER_THREADS} threads: submissions {scale / ours:.0f}/s vs bare "
             f"{scale / baseline:.0f}/s ({baseline / ours:.0%} of bare; target ≥ 40%); p95 submission "
             f"{_p95_ms(our_latencies):.1f} ms (target < 100 ms), bare {_p95_ms(bare_latencies):.1f} ms; "
             f"one client alone: p95 submission {_p95_ms(alone):.1f} ms over {SOLO}; "
             f"seconds = wall time per request")
    return ours / scale, baseline / scale, notes


# --- intake_task_list -----------------------------------------------------------------------------

STATES = ["received", "accepted", "investigating", "returned", "proposed", "approved", "refused", "closed"]


def _tasks(scale: int) -> None:
    """`scale` applications with one task each over the district's towns, written straight to the tables
    (COPY on PostgreSQL): this case measures reading, not submitting."""
    from bench.cases.person_search import _populate
    from onedoor.accounts.models import Organisation
    from onedoor.intake.models import Application, Task
    from onedoor.registry.bulk import Inserter
    from onedoor.registry.models import Person

    if Task.objects.count() >= scale:
        return
    _populate(2000)
    policies = _policies()
    windows = dict(Organisation.objects.filter(kind="town_office").values_list("area_id", "pk"))
    people = list(Person.objects.order_by("pk").values_list("pk", "residence_area_id")[:2000])
    departments = [p.department_id for p in policies]
    today = date.today()
    applications, tasks = Inserter(Application), Inserter(Task)
    batch = 20000
    for start in range(0, scale, batch):
        rows = []
        for n in range(start, min(scale, start + batch)):
            person, area = people[n % len(people)]
            received = today - timedelta(days=n % 90)
            rows.append({"receipt_no": f"B{n:09d}", "applicant_id": person, "area_id": area,
                         "window_id": windows.get(area[:9] + "000") or windows["350212110000"],
                         "channel": "window", "submitted_at": received, "statement": ""})
        applications.insert_dicts(rows)
        ids = list(Application.objects.filter(receipt_no__gte=f"B{start:09d}",
                                              receipt_no__lt=f"B{start + batch:09d}")
                   .order_by("receipt_no").values_list("pk", "area_id"))
        task_rows = []
        for offset, (application_id, area) in enumerate(ids):
            n = start + offset
            received = today - timedelta(days=n % 90)
            policy = policies[n % len(policies)]
            task_rows.append({"application_id": application_id, "policy_id": policy.pk,
                              "department_id": departments[n % len(departments)], "area_id": area,
                              "state": STATES[n % len(STATES)], "received_on": received,
                              "due_date": received + timedelta(days=42), "created_at": received})
        tasks.insert_dicts(task_rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# The filters a dispatcher uses, as selectors.tasks_for_queue takes them and as SQL conditions.
QUEUES = [
    ({}, "1 = 1", []),
    ({"state": "received"}, "t.state = %s", ["received"]),
    ({"overdue": True}, "t.state IN ('received','accepted','investigating','returned','proposed','notice',"
                        "'objected') AND t.state <> 'returned' AND t.due_date < %s", ["{today}"]),
    ({"department": "{department}"}, "t.department_id = %s", ["{department}"]),
]


@case("intake_task_list", description="调度员事项列表（范围内筛选 + 计数 + 第一页）：OneDoor 与原生 SQL",
      target_ratio=2.0, default_scale=100000)
def intake_task_list(scale: int):
    from django.test import Client

    from bench.cases.person_search import _dispatcher
    from onedoor.accounts.models import User
    from onedoor.core.api_paging import COUNT_LIMIT
    from onedoor.intake.selectors import tasks_for_queue

    _world()
    _tasks(scale)
    _dispatcher()
    today = date.today()
    department = _policies()[1].department_id

    def fill(values):
        return [today if v == "{today}" else department if v == "{department}" else v for v in values]

    def onedoor_way(filters: dict):
        user = User.objects.get(username="bench.dispatcher")  # a fresh request: grants read again
        kwargs = {k: (department if v == "{department}" else v) for k, v in filters.items()}
        queue = tasks_for_queue(user, **kwargs)
        return queue.order_by()[: COUNT_LIMIT + 1].count(), list(queue[:PAGE])

    def raw_way(where: str, params: list):
        scope = "t.area_id >= %s AND t.area_id <= %s"
        full = [*fill(params), "350212000000", "350212ZZZZZZ"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM accounts_user WHERE username = %s", ["bench.dispatcher"])
            user_id = cursor.fetchone()[0]
            cursor.execute("SELECT role, area_id, organisation_id FROM accounts_roleassignment WHERE user_id = %s "
                           "AND (valid_until IS NULL OR valid_until > CURRENT_TIMESTAMP)", [user_id])
            cursor.fetchall()
            cursor.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM intake_task t WHERE {where} AND {scope}"
                           f" LIMIT {COUNT_LIMIT + 1}) s", full)
            count = cursor.fetchone()[0]
            cursor.execute(
                "SELECT t.*, a.*, p.*, w.*, pol.*, d.*, h.*, ar.* FROM intake_task t "
                "JOIN intake_application a ON a.id = t.application_id "
                "JOIN registry_person p ON p.id = a.applicant_id JOIN accounts_organisation w ON w.id = a.window_id "
                "JOIN policies_policy pol ON pol.id = t.policy_id JOIN accounts_organisation d ON d.id = t.department_id "
                "LEFT JOIN accounts_user h ON h.id = t.handler_id JOIN geo_area ar ON ar.code = t.area_id "
                f"WHERE {where} AND {scope} ORDER BY t.due_date, t.id LIMIT {PAGE}", full)
            return count, cursor.fetchall()

    for filters, where, params in QUEUES:  # the two ways must find the same tasks
        assert onedoor_way(filters)[0] == raw_way(where, params)[0], filters

    def timed(way, args_list) -> tuple[float, list[float]]:
        samples = []
        for _ in range(2):
            for args in args_list:
                way(*args)
        for _ in range(5):
            for args in args_list:
                start = time.perf_counter()
                way(*args)
                samples.append(time.perf_counter() - start)
        return statistics.median(samples), samples

    ours, our_samples = timed(onedoor_way, [(f,) for f, _, _ in QUEUES])
    raw, _ = timed(raw_way, [(w, p) for _, w, p in QUEUES])

    client = Client()
    headers = {"Authorization": f"Bearer {_token('bench.dispatcher')}"}
    queries = [{}, {"state": "received"}, {"overdue": "true"}, {"department": department}]

    def api(query: dict):
        response = client.get("/api/v1/tasks", query, headers=headers)
        assert response.status_code == 200, response.content[:300]

    _, api_samples = timed(api, [(q,) for q in queries])
    notes = (f"p95 selector {_p95_ms(our_samples):.1f} ms, p95 whole GET /api/v1/tasks {_p95_ms(api_samples):.1f} ms "
             f"(target < 150 ms) over {len(api_samples)} requests on {scale} tasks; median per queue")
    return ours, raw, notes

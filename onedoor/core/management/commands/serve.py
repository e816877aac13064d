"""`onedoor serve`: apply pending migrations, then run the web server and one task worker."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.module_loading import import_string

from onedoor.core.jobs import fail_interrupted_jobs


def pending_migrations() -> bool:
    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class WorkerSupervisor:
    """Keeps one `db_worker` process alive beside the web server (restarts it if it dies)."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.process: subprocess.Popen | None = None
        self.stopping = threading.Event()

    def _spawn(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "onedoor", "db_worker", "--no-reload", "--interval", "1", "--verbosity", "1"]
        )

    def run(self) -> None:
        while not self.stopping.is_set():
            self.process = self._spawn()
            while self.process.poll() is None and not self.stopping.is_set():
                time.sleep(0.5)
            if not self.stopping.is_set():
                self.stdout.write(f"任务进程退出（代码 {self.process.returncode}），3 秒后重启。")
                time.sleep(3)

    def stop(self) -> None:
        self.stopping.set()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


# Jobs the embedded server enqueues once a day for its worker (each must be idempotent per day). In
# production, run their management commands from cron instead (docs/deploy.md).
DAILY_TASKS = ("onedoor.intake.tasks.escalate_overdue_daily",)


class DailyTrigger:
    """Enqueues DAILY_TASKS when the server starts and again each time the local date changes."""

    def __init__(self, stdout, tasks=DAILY_TASKS, check_every: float = 60):
        self.stdout = stdout
        self.tasks = tasks
        self.check_every = check_every
        self.stopping = threading.Event()
        self.last_day = None

    def tick(self) -> bool:
        today = timezone.localdate()
        if today == self.last_day:
            return False
        for path in self.tasks:
            try:
                import_string(path).enqueue()
            except Exception as exc:  # a broken job must not stop the server; retried tomorrow
                self.stdout.write(f"每日任务 {path} 未能加入队列：{exc}")
        self.last_day = today
        return True

    def run(self) -> None:
        while not self.stopping.is_set():
            self.tick()
            self.stopping.wait(self.check_every)


class Command(BaseCommand):
    help = "启动一门通：必要时先迁移数据库，然后运行网页服务和一个后台任务进程。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程（另行运行 onedoor db_worker）")

    def handle(self, *args, host, port, threads, no_worker, **options):
        from waitress import serve

        from onedoor.wsgi import application

        if pending_migrations():
            self.stdout.write("正在迁移数据库……")
            call_command("migrate", interactive=False, verbosity=0)
        supervisor = None
        if not no_worker:
            interrupted = fail_interrupted_jobs()
            if interrupted:
                self.stdout.write(f"{interrupted} 个上次中断的后台任务已标记为失败，可重新发起。")
            supervisor = WorkerSupervisor(self.stdout)
            threading.Thread(target=supervisor.run, daemon=True, name="task-worker").start()
            daily = DailyTrigger(self.stdout)
            threading.Thread(target=daily.run, daemon=True, name="daily-jobs").start()

        def shutdown(signum, frame):
            if supervisor:
                supervisor.stop()
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, shutdown)
        self.stdout.write(f"一门通已启动：http://{host}:{port}/  （Ctrl+C 停止）")
        try:
            serve(application, host=host, port=port, threads=threads, ident="onedoor")
        finally:
            if supervisor:
                supervisor.stop()

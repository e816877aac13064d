"""`onedoor serve` on a fresh data directory: migrates, serves pages and static files, and its task
worker picks up a queued job — the README's run command, minus the installation."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ENQUEUE = """
from onedoor.accounts.models import User
from onedoor.core.jobs import start_job
from onedoor.geo.tasks import export_areas
from django.db import transaction
with transaction.atomic():
    job = start_job(kind="geo.export_areas", title="t", actor=User.objects.get(username="dispatcher"), task=export_areas)
print(job.pk)
"""

STATUS = "from onedoor.core.models import Job; print(Job.objects.get(pk={pk}).status)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def served(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["ONEDOOR_DATA_DIR"] = str(tmp_path / "data")
    port = free_port()
    onedoor = [sys.executable, "-m", "onedoor"]
    subprocess.run([*onedoor, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=300)
    subprocess.run([*onedoor, "demo", "--once"], env=env, check=True, timeout=300, capture_output=True)
    server = subprocess.Popen([*onedoor, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        yield base, onedoor, env
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def test_serve_runs_web_and_worker(served):
    base, onedoor, env = served
    status, body = get(f"{base}/healthz")
    assert status == 200 and json.loads(body)["database"] == "sqlite"
    status, body = get(f"{base}/accounts/login/")
    assert status == 200 and "工作人员登录" in body.decode()
    status, css = get(f"{base}/static/vendor/bootstrap/bootstrap.min.css")
    assert status == 200 and b"Bootstrap" in css[:300]
    job_id = subprocess.run([*onedoor, "shell", "--no-imports", "-c", ENQUEUE], env=env, capture_output=True, text=True,
                            check=True, timeout=120).stdout.strip().splitlines()[-1]
    final = ""
    for _ in range(60):
        final = subprocess.run([*onedoor, "shell", "--no-imports", "-c", STATUS.format(pk=job_id)], env=env, capture_output=True,
                               text=True, timeout=60).stdout.strip()
        if final in ("succeeded", "failed"):
            break
        time.sleep(1)
    assert final == "succeeded"

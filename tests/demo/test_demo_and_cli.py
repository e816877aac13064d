"""`onedoor demo` is idempotent and gives every role an account; the `onedoor` command works."""

import os
import subprocess
import sys

from django.core.management import call_command

from onedoor.accounts.models import Organisation, User
from onedoor.demo.demo_steps import DEMO_ACCOUNTS, DEMO_PASSWORD
from onedoor.demo.models import LoadedStep


def _counts() -> tuple[int, ...]:
    from onedoor.aid.models import AidPayment, Loan
    from onedoor.benefits.models import Enrollment, Payment
    from onedoor.intake.models import Application
    from onedoor.ledger.models import AssistanceRecord
    from onedoor.registry.models import Person
    from onedoor.relief.models import Delivery, StockMove

    return tuple(model.objects.count() for model in (User, Organisation, Person, Application, Enrollment, Payment,
                                                     AidPayment, Loan, Delivery, StockMove, AssistanceRecord))


def test_demo_is_idempotent_and_once_skips(world, capsys):
    # The test world holds the foundation only; the first full run adds what later steps bring (e.g. the
    # relief step's supplier organisations), a second run adds nothing.
    call_command("demo")
    counts = _counts()
    call_command("demo")
    assert _counts() == counts
    assert LoadedStep.objects.filter(name="演示账号").exists()
    capsys.readouterr()
    call_command("demo", "--once")
    assert "[演示数据]" not in capsys.readouterr().out


def test_every_demo_account_can_sign_in(client, world):
    for username, *_ in DEMO_ACCOUNTS:
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        client.post("/accounts/logout/")


def test_demo_has_the_windows_departments_and_suppliers(world):
    kinds = dict(Organisation.objects.values_list("short_name", "kind"))
    assert kinds["五显镇"] == "town_office" and kinds["竹坝华侨农场"] == "town_office"
    assert kinds["人社局"] == "department" and kinds["古龙"] == "supplier"
    assert Organisation.objects.filter(kind="department").count() >= 25


def test_onedoor_command_runs_django_commands(tmp_path):
    env = dict(os.environ, ONEDOOR_DATA_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path}/cli.sqlite3")
    result = subprocess.run([sys.executable, "-m", "onedoor", "help"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0
    for name in ("serve", "demo", "bench", "migrate"):
        assert name in result.stdout

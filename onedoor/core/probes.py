"""Out-of-scope probes: every URL route must say how a user of another town is kept out of it.

Each app lists its routes in `<app>/probes.py` as `PROBES = [...]`. The generic test
(tests/scoping/test_out_of_scope.py) signs in as the 莲花镇 window clerk, builds objects that belong
to 五显镇, and for every route of the URL configuration runs its probe; a route without a probe or an
`Unscoped` entry fails the test, so a new route cannot be forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps

# The other town's names that must never reach the 莲花镇 clerk (五显镇 and its villages).
FOREIGN_MARKER = "五显"


@dataclass(frozen=True)
class Probe:
    """How to call a route about something of 五显镇, and what a 莲花镇 clerk must get back.

    expect: "404" — the object is hidden; "absent" — the response (list, page, JSON) must not contain
    FOREIGN_MARKER or `absent_text(world)`; "check" — `check(client, world)` asserts it itself.
    """

    route: str
    kwargs: Callable[[Any], dict] | None = None
    given: Callable[[Any], Any] | None = None  # creates the foreign objects a list should not show
    method: str = "GET"
    data: Callable[[Any], dict] | None = None
    expect: str = "404"
    absent_text: Callable[[Any], str] | None = None
    check: Callable[[Any, Any], None] | None = None
    query: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Unscoped:
    """A route that shows nothing scoped (login, health, a calculator); the reason is required."""

    route: str
    reason: str


def all_probes() -> list[Probe | Unscoped]:
    found: list[Probe | Unscoped] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("onedoor"):
            continue
        try:
            module = import_module(f"{config.name}.probes")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.probes":
                raise
            continue
        found.extend(getattr(module, "PROBES", []))
    return found


def _job_kwargs(world: Any) -> dict:
    from .probe_helpers import foreign_job

    return {"job_id": foreign_job(world).pk}


def _foreign_notification(world: Any):
    """A message to the 五显镇 clerk, naming 五显 (FOREIGN_MARKER)."""
    from .models import Notification

    return Notification.objects.create(user=world.user("clerk.wuxian"), kind="probe",
                                       title=f"{FOREIGN_MARKER}镇事项已退回", body=f"{FOREIGN_MARKER}测试")


def _cannot_read_anothers_messages(client: Any, world: Any) -> None:
    notification = _foreign_notification(world)
    response = client.post(f"/messages/{notification.pk}/read/")
    assert response.status_code == 404, response.status_code
    response = client.post("/messages/read-all/")
    assert response.status_code == 302, response.status_code
    notification.refresh_from_db()
    assert notification.read_at is None


def _badge_counts_only_ones_own(client: Any, world: Any) -> None:
    _foreign_notification(world)
    response = client.get("/messages/badge/")
    assert response.status_code == 200, response.status_code
    assert "badge" not in response.content.decode()  # the other clerk's unread message is not counted


PROBES: list[Probe | Unscoped] = [
    Probe("core:home", expect="absent"),
    Probe("core:job_list", expect="absent", given=lambda w: _job_kwargs(w)),
    Probe("core:job_detail", kwargs=_job_kwargs),
    Probe("core:job_progress", kwargs=_job_kwargs),
    Probe("core:job_download", kwargs=_job_kwargs),
    Probe("core:notification_list", expect="absent", given=_foreign_notification),
    Probe("core:notification_badge", expect="check", check=_badge_counts_only_ones_own),
    Probe("core:notification_read", expect="check", check=_cannot_read_anothers_messages),
    Probe("core:notification_read_all", expect="check", check=_cannot_read_anothers_messages),
    Unscoped("core:health", "只报告数据库与队列是否可用，不含业务数据"),
    Unscoped("core:workdays_tool", "工作日计算器，不读取业务数据"),
    Unscoped("core:id_number_tool", "号码校验器，只处理输入的号码，不读取业务数据"),
    Probe("api:get_job", kwargs=_job_kwargs),
    Unscoped("api:workdays", "工作日计算，不读取业务数据"),
    Unscoped("api:check_id_number", "号码校验，只处理输入的号码，不读取业务数据"),
    Unscoped("api:api-root", "接口根地址，不含数据"),
    Unscoped("api:openapi-json", "接口说明文档"),
    Unscoped("api:openapi-view", "接口说明文档"),
    Unscoped("set_language", "切换界面语言"),
    Unscoped("admin:*", "系统管理后台只对系统管理员角色开放（tests/scoping/test_out_of_scope.py 单独检查）"),
]

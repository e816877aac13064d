"""Out-of-scope probes of the catalogue's routes. The catalogue, the responsibility list and the
standards are public knowledge (the bureau publishes them), not data of a town: those routes are
Unscoped. The suggestions API reads a person, so the 莲花镇 clerk asking about a 五显镇 person gets 404
and learns nothing about them."""

from __future__ import annotations

from onedoor.core.probes import FOREIGN_MARKER, Probe, Unscoped

PUBLIC = "政策目录、责任清单和保障标准是公开信息，不属于任何镇（街、场），不含个人信息"


def _foreign_person_gets_no_suggestions(client, world) -> None:
    from onedoor.registry.probes_api import foreign_assignment, foreign_person

    foreign_assignment(world)  # in 特困供养, household in 低保: there would be something to suggest
    person = foreign_person(world)
    response = client.get("/api/v1/policies/suggestions", {"person_id": person.pk})
    assert response.status_code == 404, response.status_code
    body = response.content.decode()
    assert FOREIGN_MARKER not in body and "suggestions" not in response.json()


PROBES = [
    Unscoped("policies:policy_list", PUBLIC),
    Unscoped("policies:policy_detail", PUBLIC),
    Unscoped("policies:responsibility_list", f"{PUBLIC}；只有调度和系统管理员可修改（tests/policies 检查）"),
    Unscoped("policies:responsibility_end", f"{PUBLIC}；只有调度和系统管理员可修改（tests/policies 检查）"),
    Unscoped("policies:standard_list", f"{PUBLIC}；只有系统管理员可登记新标准（tests/policies 检查）"),
    Unscoped("api:list_policies", PUBLIC),
    Unscoped("api:get_policy", PUBLIC),
    Probe("api:policy_suggestions", expect="check", check=_foreign_person_gets_no_suggestions),
]

"""The shipped catalogue and its loader: about 70 policies of 28 departments, idempotent upsert by code,
missing departments created, a district line per new policy, initial standards only when none exist."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import yaml
from django.core.management import CommandError, call_command

from onedoor.accounts.models import Organisation
from onedoor.core.exceptions import DomainError
from onedoor.policies.actions import CATALOGUE_FILE, load_catalogue
from onedoor.policies.models import Policy, Responsibility, Standard
from onedoor.registry.models import Category


def test_the_world_holds_the_shipped_catalogue(world):
    policies = Policy.objects.all()
    assert 65 <= policies.count() <= 80
    assert policies.values("department").distinct().count() == 28
    dibao = Policy.objects.get(code="mz-dibao")
    assert dibao.department == world.org("区民政局")
    assert dibao.notice_required and dibao.notice_days == 7 and dibao.time_limit_days == 30
    assert dibao.income_rule == "below" and dibao.income_ratio == Decimal("1.00")
    assert "户口簿" in dibao.required_documents
    assert Policy.objects.get(code="mz-dibao-edge").income_ratio == Decimal("1.50")
    assert Policy.objects.get(code="mz-temp-urgent").act_first_allowed
    assert not Policy.objects.get(code="mz-unsupported-child").notice_required
    assert Policy.objects.get(code="rs-startup-loan").kind == "loan"
    assert Policy.objects.get(code="sf-legal-aid").kind == "referral"
    assert set(Policy.objects.get(code="yb-medical-aid").eligible_categories.values_list("code", flat=True)) >= {
        "tekun", "dibao"}
    assert Policy.objects.get(code="mz-elderly-allowance").min_age == 80


def test_every_policy_has_a_guide_documents_rule_and_a_district_line(world):
    for policy in Policy.objects.prefetch_related("responsibilities"):
        assert policy.guide.count("。") >= 2, policy.code
        assert policy.keywords and policy.life_situations, policy.code
        lines = list(policy.responsibilities.all())
        assert [(line.area_id, line.department_id, line.valid_from) for line in lines] == [
            ("350212000000", policy.department_id, date(2026, 1, 1))], policy.code


def test_the_file_names_only_known_categories_and_departments():
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    departments = {d["short_name"] for d in data["departments"]}
    assert len(departments) == 28
    assert {p["department"] for p in data["policies"]} == departments
    codes = [p["code"] for p in data["policies"]]
    assert len(codes) == len(set(codes)) == 70


def test_initial_standards_are_the_national_averages(world):
    urban = Standard.objects.in_force("dibao", date(2026, 3, 1), "urban")
    rural = Standard.objects.in_force("dibao", date(2026, 3, 1), "rural")
    assert (urban.amount, rural.amount) == (Decimal("798.10"), Decimal("593.90"))
    assert urban.basis == "全国平均水平（2024年底），请按本地文件修改"
    assert Standard.objects.in_force("dibao_edge_ratio", date(2026, 3, 1)).amount == Decimal("1.50")
    tekun = Standard.objects.in_force("tekun_basic", date(2026, 3, 1), "urban").amount
    assert tekun == (Decimal("798.10") * Decimal("1.3")).quantize(Decimal("0.01"))
    for kind in ("tekun_care_self", "tekun_care_partial", "tekun_care_full", "orphan", "unsupported_child"):
        assert "请按本地文件修改" in Standard.objects.in_force(kind, date(2026, 3, 1)).basis
    assert Standard.objects.in_force("dibao", date(2025, 12, 31), "urban") is None


def test_loading_again_changes_nothing(world):
    # given the world already loaded the catalogue
    counts = (Policy.objects.count(), Responsibility.objects.count(), Standard.objects.count(),
              Organisation.objects.count())

    # when it is loaded again
    result = load_catalogue(actor=None)

    # then every policy is unchanged and nothing was added
    assert (result.created, result.updated, result.unchanged) == (0, 0, 70)
    assert (result.departments_created, result.responsibilities_created, result.standards_created) == (0, 0, 0)
    assert counts == (Policy.objects.count(), Responsibility.objects.count(), Standard.objects.count(),
                      Organisation.objects.count())


def _write(tmp_path, data) -> str:
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_a_changed_file_updates_by_code_creates_new_and_deletes_nothing(world, tmp_path):
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    # given a bureau copy: one policy changed, one new policy of a new department, one policy left out
    data["policies"][0]["time_limit_days"] = 25
    data["policies"][0]["categories"] = ["dibao_edge"]
    data["departments"].append({"short_name": "演示新部门", "name": "同安区演示新部门"})
    data["policies"].append({"code": "new-policy", "name": "新政策", "department": "演示新部门", "kind": "service"})
    left_out = data["policies"].pop(1)["code"]
    data["standards"] = [{"kind": "dibao", "hukou_type": "urban", "amount": "900.00",
                          "effective_from": date(2027, 1, 1), "basis": "x"}]

    result = load_catalogue(actor=world.user("admin"), path=_write(tmp_path, data))

    assert (result.created, result.updated, result.unchanged) == (1, 1, 68)
    assert result.departments_created == 1 and result.responsibilities_created == 1
    assert result.standards_created == 0  # dibao standards exist: the bureau's figures are never overwritten
    dibao = Policy.objects.get(code="mz-dibao")
    assert dibao.time_limit_days == 25
    assert list(dibao.eligible_categories.values_list("code", flat=True)) == ["dibao_edge"]
    assert Policy.objects.filter(code=left_out).exists()
    new = Policy.objects.get(code="new-policy")
    assert new.department.kind == "department" and new.department.area_id == "350212000000"
    assert new.responsibilities.get().department == new.department
    assert new.history.first().history_user == world.user("admin")


def test_a_policy_that_has_lines_gets_no_default_line(world, tmp_path):
    Responsibility.objects.filter(policy__code="mz-dibao").delete()
    Responsibility.objects.create(policy=Policy.objects.get(code="mz-dibao"), area_id="350212110000",
                                  department=world.org("五显镇"), valid_from=date(2026, 2, 1))
    result = load_catalogue(actor=None)
    assert result.responsibilities_created == 0
    assert Responsibility.objects.filter(policy__code="mz-dibao").count() == 1


def test_standards_are_loaded_only_for_kinds_without_any(world):
    Standard.objects.filter(kind="orphan").delete()
    result = load_catalogue(actor=None)
    assert result.standards_created == 1
    assert Standard.objects.get(kind="orphan").amount == Decimal("1500.00")


@pytest.mark.parametrize("change, field", [
    ({"categories": ["no_such_category"]}, "no_such_category"),
    ({"department": "不存在的部门"}, "不存在的部门"),
    ({"kind": "gift"}, "kind"),
    ({"min_age": 60, "max_age": 18}, "最低年龄"),
    ({"time_limit_days": 0}, "办理时限"),
    ({"income_ratio": "abc"}, "收入倍数"),
    ({"life_situations": ["party"]}, "life_situations"),
    ({"colour": "red"}, "colour"),
    ({"code": "standards"}, "保留字"),
])
def test_a_bad_file_is_refused_whole_with_the_policy_named(world, tmp_path, change, field):
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    data["policies"][0]["name"] = "改过的名字"
    data["policies"][5].update(change)
    with pytest.raises(DomainError) as caught:
        load_catalogue(actor=None, path=_write(tmp_path, data))
    assert field in caught.value.message
    assert Policy.objects.get(code="mz-dibao").name == "最低生活保障"  # nothing written


def test_a_missing_or_broken_file_is_a_clear_message(world, tmp_path):
    with pytest.raises(DomainError, match="找不到政策目录文件"):
        load_catalogue(actor=None, path=tmp_path / "none.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("policies: [", encoding="utf-8")
    with pytest.raises(DomainError, match="格式有误"):
        load_catalogue(actor=None, path=broken)


def test_the_command_loads_and_reports(world, tmp_path, capsys):
    call_command("load_catalogue")
    assert "政策新建 0 项、更新 0 项、未变 70 项" in capsys.readouterr().out
    with pytest.raises(CommandError) as caught:
        call_command("load_catalogue", "--file", str(tmp_path / "none.yaml"))
    assert "找不到政策目录文件" in str(caught.value)


def test_categories_from_the_registry_migration_cover_the_catalogue(db):
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    used = {code for p in data["policies"] for code in p.get("categories") or []}
    assert used <= set(Category.objects.values_list("code", flat=True))

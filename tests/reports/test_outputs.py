"""The report's outputs: pages (with drill-down links, masked ID numbers, bounded queries), the xlsx and PDF
parsed back, the JSON schema (keys compared), the CLI writing its files, and bad input answered in Chinese."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from onedoor.reports.probes_annual import xlsx_sheets

YEAR = "2026"

ROW_KEYS = {"key", "label", "amount", "count", "people"}
SCHEMA = {
    "schema_version": None,
    "period": {"start", "end"},
    "area": {"code", "name"},
    "subsidies": {"amount", "person_times", "by_policy", "by_category"},
    "loans": {"people", "loans", "principal", "subsidy_amount", "subsidy_payments"},
    "employment": {"approved", "by_policy"},
    "charity": {"available", "message"},
    "social_work": {"available", "message"},
    "campaigns": {"issued_total", "issued", "coverage"},
    "reserves": {"as_of", "on_hand", "suppliers", "total"},
    "one_window": {"applications", "by_channel", "tasks", "by_department", "decided", "decided_on_time",
                   "on_time_rate", "average_working_days", "departments", "policies"},
}
COVERAGE_KEYS = {"campaign_id", "name", "starts_on", "ends_on", "targets", "delivered", "remaining",
                 "closed_otherwise", "percent", "all_covered", "statement", "by_category"}


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_json_schema_is_stable(report_world, login, world):
    client = login("leader")
    body = client.get("/api/v1/reports/annual", {"year": YEAR}).json()
    assert set(body) == set(SCHEMA)
    for key, keys in SCHEMA.items():
        if keys:
            assert set(body[key]) == keys, key
    assert body["schema_version"] == 1
    for rows in (body["subsidies"]["by_policy"], body["subsidies"]["by_category"], body["employment"]["by_policy"],
                 body["campaigns"]["issued"], body["reserves"]["on_hand"], body["one_window"]["by_channel"]):
        assert rows and all(set(row) == ROW_KEYS for row in rows)
    assert set(body["campaigns"]["coverage"][0]) == COVERAGE_KEYS
    assert (body["subsidies"]["amount"], body["subsidies"]["person_times"]) == ("4500.00", 6)
    assert body["charity"] == {"available": False, "message": "暂无数据（慈善/社工模块尚未上线）"}
    # the same dict as the report's own as_dict, for a town too
    town = client.get("/api/v1/reports/annual", {"year": YEAR, "area": world.wuxian.code}).json()
    assert town["area"] == {"code": world.wuxian.code, "name": "五显镇"} and town["subsidies"]["amount"] == "2900.00"
    monthly = client.get("/api/v1/reports/monthly", {"month": "2026-05"}).json()
    assert monthly["total"]["amount"] == "2400.00" and monthly["total"]["people"] == 3


@pytest.mark.parametrize(("query", "status"), [
    ({"year": "abc"}, 400), ({"year": "1800"}, 400), ({"start": "2026-05-01"}, 400),
    ({"start": "2026-05-01", "end": "2026-04-01"}, 400), ({"area": "999999999999"}, 404), ({"area": "x"}, 404),
])
def test_bad_api_input_is_a_clear_error(query, status, login, world):
    response = login("leader").get("/api/v1/reports/annual", query)
    assert response.status_code == status
    body = response.json()
    assert {"code", "message", "details"} <= set(body)
    assert re.search(r"[\u4e00-\u9fff]", body["message"])


def test_a_town_clerk_cannot_ask_for_another_towns_area(login, world):
    client = login("clerk.lianhua")
    assert client.get("/api/v1/reports/annual", {"area": world.wuxian.code}).status_code == 404
    assert client.get("/reports/annual/", {"area": world.wuxian.code}).status_code == 404
    assert client.get("/api/v1/reports/annual").json()["area"]["code"] == world.lianhua.code


def test_pages_show_the_figures_with_links_to_their_records(report_world, login, world,
                                                            django_assert_max_num_queries):
    client = login("leader")
    index = client.get("/reports/")
    assert index.status_code == 200 and "年度报告" in index.content.decode()
    with django_assert_max_num_queries(45):
        page = client.get("/reports/annual/", {"year": YEAR})
    body = page.content.decode()
    assert page.status_code == 200
    assert "4500.00" in body and "暂无数据（慈善/社工模块尚未上线）" in body and "data-chart=" in body
    assert "/reports/annual/drill/?" in body and "figure=subsidies" in body
    assert "已送达 2 人" in body
    # a drill-down page: the records behind 低保 payments, ID numbers masked, total equal to the figure
    link = re.search(r'href="(/reports/annual/drill/\?[^"]*figure=subsidies[^"]*category=\d+[^"]*)"', body)
    drill_page = client.get(link.group(1).replace("&amp;", "&"))
    text = drill_page.content.decode()
    assert drill_page.status_code == 200 and "3200.00" in text and "户主五显A" in text
    assert re.search(r"350212\*+\d{3}[\dX]", text) and not re.search(r"350212\d{11}[\dX]", text)
    with django_assert_max_num_queries(20):
        client.get("/reports/annual/drill/", {"year": YEAR, "figure": "applications"})
    monthly = client.get("/reports/monthly/", {"month": "2026-05"})
    assert monthly.status_code == 200 and "2400.00" in monthly.content.decode()
    # bad input on a page: the message, not a 500
    bad = client.get("/reports/annual/", {"year": "abc"})
    assert bad.status_code < 500 and "年份" in bad.content.decode()


def test_xlsx_and_pdf_are_produced_and_read_back(report_world, login, world):
    client = login("leader")
    response = client.get("/reports/annual/xlsx/", {"year": YEAR})
    assert response.status_code == 200
    sheets = xlsx_sheets(response.content)
    assert list(sheets) == ["概况", "救助资金-按政策", "救助资金-按类别", "贴息贷款", "就业援助", "慈善", "社会工作",
                            "送温暖发放", "活动覆盖", "物资储备", "一门受理"]
    summary = {row[0]: row[1] for row in sheets["概况"]}
    assert summary["救助资金发放（元）"] == "4500.00" and summary["救助资金发放（人次）"] == "6"
    assert sheets["慈善"][1] == ["暂无数据（慈善/社工模块尚未上线）"]
    policy_total = sheets["救助资金-按政策"][-1]
    assert policy_total[0] == "合计" and Decimal(str(policy_total[1])) == Decimal("4500.00") and policy_total[2] == 6
    assert [row[1] for row in sheets["物资储备"][1:]] == [116]

    pdf = client.get("/reports/annual/pdf/", {"year": YEAR})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = _flat("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages))
    assert "社会救助工作统计" in text and "4500.00" in text and "暂无数据" in text and "报表棉被" in text

    monthly = client.get("/reports/monthly/xlsx/", {"month": "2026-05", "area": world.wuxian.code})
    [rows] = xlsx_sheets(monthly.content).values()
    assert rows[0][0] == "镇（街、场）" and rows[1][0] == "五显镇" and rows[-1][0] == "合计"
    assert Decimal(str(rows[-1][-1])) == Decimal("1600.00")


def test_the_command_writes_each_format(report_world, world, tmp_path, capsys):
    call_command("report", "annual", YEAR)
    printed = json.loads(capsys.readouterr().out)
    assert printed["subsidies"]["amount"] == "4500.00" and printed["area"]["code"] == world.district.code
    for fmt in ("json", "xlsx", "pdf"):
        target = tmp_path / f"r.{fmt}"
        call_command("report", "annual", YEAR, "--area", world.lianhua.code, "--format", fmt, "--out", str(target))
        assert target.stat().st_size > 0
    assert json.loads((tmp_path / "r.json").read_text())["subsidies"]["amount"] == "1600.00"
    assert xlsx_sheets((tmp_path / "r.xlsx").read_bytes())["概况"][2] == ["统计区域", "莲花镇"]
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    # as an account: the scope of that account
    call_command("report", "annual", YEAR, "--user", "clerk.wuxian", "--out", str(tmp_path / "c.json"))
    assert json.loads((tmp_path / "c.json").read_text())["subsidies"]["amount"] == "2900.00"
    call_command("report", "monthly", "2026-05", "--format", "xlsx", "--out", str(tmp_path / "m.xlsx"))
    assert xlsx_sheets((tmp_path / "m.xlsx").read_bytes())
    with pytest.raises(CommandError, match="年份"):
        call_command("report", "annual", "20x6")
    with pytest.raises(CommandError, match="数据范围"):
        call_command("report", "annual", YEAR, "--user", "clerk.lianhua", "--area", world.wuxian.code)

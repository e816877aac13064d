"""The campaign's documents with personal data, read back: the village sign-off sheet (PDF, pypdf)
with names and masked ID numbers only, and the summary workbook (written by a job) whose sheets add
up to the coverage the same user sees. Each is recorded in the access log."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from onedoor.core.idnumber import mask_id_number
from onedoor.core.models import AccessLog, Job
from onedoor.core.pdf import font_available
from onedoor.core.tabular import read_rows
from onedoor.relief import selectors
from onedoor.relief.campaigns import deliver, generate_roster, set_entry_status
from onedoor.relief.models import RosterEntry

SHEETS = ("概况", "按镇", "按村", "按类别", "发放明细")


@pytest.fixture
def frozen(make_campaign, signature_png):
    """Roster of four: 杨全 delivered, 李孤 refused, 王单 pending (五显镇); 陈特 pending (莲花镇)."""
    cw = make_campaign()
    keeper = cw.stock.keeper
    generate_roster(cw.campaign, actor=keeper)
    entries = {e.person_id: e for e in RosterEntry.objects.filter(campaign=cw.campaign)}
    deliver(entries[cw.yang.pk], actor=keeper, signature=ContentFile(signature_png, name="s.png"),
            recipient_name="杨全")
    set_entry_status(entries[cw.orphan.pk], "refused", actor=keeper, note="监护人代为谢绝")
    return cw


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.mark.skipif(not font_available(), reason="no Chinese font (fc-list :lang=zh)")
def test_signoff_sheet_lists_the_village_with_masked_ids_only(frozen, login, world):
    response = login("storekeeper").get(reverse("relief:campaign_signoff",
                                                args=[frozen.campaign.pk, world.wuxian_village.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages))
    for expected in ("送温暖物资签收表", frozen.campaign.name.replace(" ", ""), world.wuxian_village.name,
                     "序号", "姓名", "身份证号", "住址", "类别", "物资及数量", "签收人签名", "日期",
                     "杨全", "李孤", "王单", "测试棉被1床"):
        assert expected in text, expected
    for person in (frozen.yang, frozen.orphan, frozen.single):
        assert mask_id_number(person.id_number) in text and person.id_number not in text
    assert "陈特" not in text  # another village
    log = AccessLog.objects.get(reason="打印签收表")
    assert log.action == "export" and log.actor.username == "storekeeper" and log.details["rows"] == 3


def _summary(client, campaign) -> dict[str, list[dict]]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("relief:campaign_summary", args=[campaign.pk]))
    job = Job.objects.filter(kind="relief.campaign_summary").latest("pk")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    with job.result_file.open("rb") as handle:
        data = handle.read()
    return {sheet: [row.values for row in read_rows(io.BytesIO(data), filename="s.xlsx", sheet=sheet)]
            for sheet in SHEETS}


def test_summary_workbook_adds_up_to_the_coverage(frozen, login, world):
    client = login("storekeeper")
    book = _summary(client, frozen.campaign)
    cover = selectors.coverage(frozen.campaign, world.user("storekeeper"))
    overview = {row["项目"]: row["内容"] for row in book["概况"]}
    assert overview["活动名称"] == frozen.campaign.name and overview["结论"] == cover.statement
    assert overview["对象数"] == "4" and overview["已送达"] == "1" and overview["未送达"] == str(cover.total.remaining)
    towns = {row["镇（街、场）"]: row for row in book["按镇"]}
    assert set(towns) == {"五显镇", "莲花镇", "合计"}
    for row in cover.rows:
        assert towns[row.name]["对象数"] == str(row.targets) and towns[row.name]["已送达"] == str(row.delivered)
        assert towns[row.name]["未送达"] == str(row.remaining)
    total = towns["合计"]
    assert (total["对象数"], total["已送达"], total["拒收"], total["未送达"]) == ("4", "1", "1", "2")
    assert sum(int(r["对象数"]) for r in book["按村"] if r["镇（街、场）"] != "合计") == 4
    categories = {row["类别"]: row for row in book["按类别"]}
    assert sum(int(r["对象数"]) for name, r in categories.items() if name != "合计") == 4
    assert categories["合计"]["已送达"] == "1"
    detail = book["发放明细"]
    assert len(detail) == 4
    by_name = {row["姓名"]: row for row in detail}
    assert by_name["杨全"]["状态"] == "已送达" and by_name["杨全"]["发放物资"] == "测试棉被 1床"
    assert by_name["李孤"]["情况说明"] == "监护人代为谢绝"
    for person in (frozen.yang, frozen.orphan, frozen.single, frozen.chen):
        assert by_name[person.name]["身份证号码"] == mask_id_number(person.id_number)
    log = AccessLog.objects.get(reason="导出送温暖活动汇总")
    assert log.actor.username == "storekeeper" and log.details["rows"] == 4


def test_summary_of_a_town_viewer_holds_only_their_town(frozen, login):
    book = _summary(login("clerk.lianhua"), frozen.campaign)
    assert [row["镇（街、场）"] for row in book["按镇"]] == ["莲花镇", "合计"]
    assert [row["姓名"] for row in book["发放明细"]] == ["陈特"]
    cells = " ".join(v for sheet in book.values() for row in sheet for v in row.values())
    assert "五显" not in cells and "杨全" not in cells

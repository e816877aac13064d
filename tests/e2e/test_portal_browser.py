"""The public portal in a real browser on a phone-sized screen, signed out: find 低保 in the guide,
apply online from the policy page, note the receipt number, and look up the progress with it."""

from datetime import date

from django.core.cache import cache

from onedoor.core.idnumber import make_id_number
from onedoor.intake.models import Application
from onedoor.policies.models import Policy


def test_search_apply_online_and_look_up_the_status(page, live_server, world):
    cache.clear()
    Policy.objects.create(
        code="e2e-dibao", name="最低生活保障（浏览器）", department=world.org("区民政局"), kind="monthly_cash",
        keywords="低保", guide="家庭人均收入低于低保标准的，可以申请。", life_situations=["living"], order=1,
        required_documents=["户口簿"])
    number = make_id_number("350212", date(1958, 8, 8), 77)

    # the guide: search 低保 and open the policy
    page.goto(f"{live_server.url}/portal/")
    page.fill("input[name=q]", "低保")
    page.click("button[type=submit] >> text=查找")
    page.click("text=最低生活保障（浏览器）")
    page.wait_for_selector("h1 >> text=最低生活保障（浏览器）")
    assert "户口簿" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling

    # apply online from the policy page: the policy is ticked already
    page.click("[data-testid=apply-for-policy]")
    page.fill("input[name=name]", "苏阿婆")
    page.fill("input[name=id_number]", number.lower())
    page.fill("input[name=phone]", "139 0592 0000")
    page.select_option("select[name=window]", label="五显镇人民政府")
    page.select_option("select[name=village]", world.wuxian_village.code)
    assert page.is_checked(f"input[name=policies][value='{Policy.objects.get(code='e2e-dibao').pk}']")
    page.fill("textarea[name=statement]", "独居，没有收入。")
    page.check("input[name=consent]")
    page.click("[data-testid=apply-submit]")
    page.wait_for_selector("[data-testid=receipt-no]")
    receipt_no = page.inner_text("[data-testid=receipt-no]").strip()
    application = Application.objects.get(receipt_no=receipt_no)
    assert application.channel == "online" and application.window == world.org("五显镇")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # the status lookup: a wrong suffix finds nothing, the right one shows progress and no name
    page.click("text=查询办理进度 >> nth=-1")
    page.fill("input[name=receipt_no]", receipt_no)
    page.fill("input[name=id_last4]", "0000" if not number.endswith("0000") else "1111")
    page.click("[data-testid=status-submit]")
    page.wait_for_selector("[data-testid=status-not-found]")
    page.fill("input[name=receipt_no]", receipt_no)
    page.fill("input[name=id_last4]", number[-4:].lower())
    page.click("[data-testid=status-submit]")
    page.wait_for_selector("[data-testid=status-result]")
    result = page.inner_text("[data-testid=status-result]")
    assert "最低生活保障（浏览器）" in result and "待补正材料" in result  # 户口簿 not yet handed in
    assert "苏阿婆" not in page.content() and number not in page.content()
    assert not page.console_errors

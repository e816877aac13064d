"""A small year of records made through the real actions, in 五显镇 and 莲花镇, for the report tests.

- 低保 (dibao gap, 800 a month): households 五显A and 莲花C (category 低保 from 10 March), 五显B (no category),
  approved in March through intake; payroll April (五显B's payment refused by the bank) and May, through the
  bank file and its return → cash ledger rows.
- 临时救助 急难型 500 in 五显镇 disbursed at approval; another of 300 in 莲花镇 disbursed then returned (reversal).
- a loan of 五显镇 (120,000, Q1 subsidy paid) and one of 莲花镇 (60,000, nothing paid).
- employment: 就业困难人员认定 (人社局, life situation 就业创业) approved in 五显镇, refused in 莲花镇; one more
  approved and closed in 莲花镇; a task still open.
- relief: the campaign of tests/relief (杨全 in 五显镇 and 陈特 in 莲花镇 get a quilt each on 2026-11-20).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

YEAR = 2026


@dataclass
class ReportWorld:
    year: int
    dibao: object
    temp: object
    employment: object
    campaign: object
    quilt: object
    stock: object


def _return_csv(bank, failed_names: set[str]) -> io.BytesIO:
    from onedoor.core.tabular import read_rows

    with bank.file.open("rb") as handle:
        data = handle.read()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["序号", "参考号", "账号", "户名", "金额", "处理结果", "失败原因", "到账日期"])
    number = 0
    for _, values in read_rows(io.BytesIO(data), filename=bank.original_name):
        if values["序号"] == "合计":
            continue
        number += 1
        failed = values["户名"] in failed_names
        writer.writerow([number, values["参考号"], values["账号"], values["户名"], values["金额"],
                         "失败" if failed else "成功", "账户已销户" if failed else "",
                         "" if failed else bank.run.month.replace(day=15).isoformat()])
    return io.BytesIO(text.getvalue().encode("gbk"))


@pytest.fixture
def report_world(world, make_person, make_policy, submit, time_machine) -> ReportWorld:
    from onedoor.accounts.actions import assign_role, create_staff
    from onedoor.aid.actions import (
        open_fund,
        pay_quarter_subsidies,
        record_repayment,
        register_loan,
        return_payment,
        top_up_fund,
    )
    from onedoor.benefits import bankfile, payroll
    from onedoor.benefits.models import BenefitRule
    from onedoor.intake import actions
    from onedoor.policies.models import Standard
    from onedoor.registry.actions import assign_category, create_household
    from onedoor.registry.models import Category
    from onedoor.relief import actions as stock_actions
    from onedoor.relief.campaigns import TeamSpec, create_campaign, deliver, generate_roster
    from onedoor.relief.models import Agreement, AgreementLine, Item, RosterEntry, Store

    finance = world.user("finance")
    handler = world.user("handler.mz")
    clerk_wx, clerk_lh = world.user("clerk.wuxian"), world.user("clerk.lianhua")
    time_machine.move_to(date(YEAR, 3, 10))

    # --- 低保 through intake and payroll ---------------------------------------------------------------
    Standard.objects.all().delete()
    for hukou in ("urban", "rural"):
        Standard.objects.create(kind="dibao", effective_from=date(YEAR, 1, 1), hukou_type=hukou, amount=Decimal("800"))
    dibao = make_policy("最低生活保障", subject="household", review_frequency="yearly")
    BenefitRule.objects.create(policy=dibao, method="dibao_gap", rounding="yuan")
    category = Category.objects.get(code="dibao")
    households = {}
    for label, area, clerk, window in (("五显A", world.wuxian_village, clerk_wx, "五显镇"),
                                       ("五显B", world.wuxian_village, clerk_wx, "五显镇"),
                                       ("莲花C", world.lianhua_village, clerk_lh, "莲花镇")):
        head = make_person(f"户主{label}", area=area, actor=clerk, hukou_type="urban", monthly_income=Decimal("0"),
                           bank_name="同安农商银行", bank_account=f"6221{len(households):012d}")
        household = create_household(actor=clerk, head=head, hukou_type="urban", formed_on=date(YEAR, 1, 1))
        households[label] = household
        if label != "五显B":
            assign_category(actor=clerk, category=category, valid_from=date(YEAR, 3, 10), source="manual",
                            reason="测试", household=household)
        task = submit([dibao], applicant=head, household=household, actor=clerk.username, window=window).tasks.get()
        actions.accept_task(task, actor=handler)
        actions.start_investigation(task, actor=handler)
        actions.propose_decision(task, actor=handler, note="符合条件")
        actions.approve(task, actor=handler, reason="符合条件")
    second = create_staff(actor=None, username="finance.two", full_name="周复核", organisation=world.org("区民政局"),
                          password="onedoor-demo-2")
    assign_role(actor=None, user=second, role="finance", area=world.district, note="测试")
    for month, failed in ((date(YEAR, 4, 1), {"户主五显B"}), (date(YEAR, 5, 1), set())):
        time_machine.move_to(month + timedelta(days=9))
        run = payroll.create_run(actor=finance, month=month)
        payroll.compute_run(run, actor=finance)
        payroll.approve_run(run, actor=second)
        bank = bankfile.export_bank_file(run, actor=finance, fmt="xlsx", encoding="gbk")
        bankfile.reconcile_return_file(run, actor=finance, file=_return_csv(bank, failed), filename="回盘.csv")

    # --- 临时救助 -------------------------------------------------------------------------------------
    time_machine.move_to(date(YEAR, 6, 10))
    for name, area, amount in (("五显镇临时救助备用金", world.wuxian, "5000"), ("莲花镇临时救助备用金", world.lianhua, "5000")):
        fund = open_fund(actor=finance, name=name, organisation=world.org(name[:3]), area=area,
                         town_limit=Decimal("2000.00"))
        top_up_fund(fund, actor=finance, amount=amount, reason="年初拨付")
    temp = make_policy("临时救助（急难型）", kind="one_off_cash", act_first_allowed=True, time_limit_days=10)
    task = submit([temp], applicant=make_person("急难五显"), act_first=[temp.code]).tasks.get()
    actions.approve(task, actor=handler, reason="急难先行", amount=Decimal("500"), act_first=True)
    lh_person = make_person("急难莲花", area=world.lianhua_village, actor=clerk_lh)
    task = submit([temp], applicant=lh_person, act_first=[temp.code], actor="clerk.lianhua",
                  window="莲花镇").tasks.get()
    approved = actions.approve(task, actor=handler, reason="急难先行", amount=Decimal("300"), act_first=True)
    time_machine.move_to(date(YEAR, 6, 20))
    return_payment(approved.aid_payment, actor=finance, reason="未领取，退回")

    # --- loans ----------------------------------------------------------------------------------------
    time_machine.move_to(date(YEAR, 1, 10))
    loan = register_loan(actor=finance, borrower=make_person("贷款五显"), principal=Decimal("120000.00"),
                         department=world.org("人社局"), bank=world.org("合作银行"), annual_rate=Decimal("4.35"),
                         term_months=12, start_date=date(YEAR, 1, 15), subsidy_share=Decimal("50"))
    register_loan(actor=finance, borrower=make_person("贷款莲花", area=world.lianhua_village, actor=clerk_lh),
                  principal=Decimal("60000.00"), department=world.org("人社局"), bank=world.org("合作银行"),
                  annual_rate=Decimal("4.35"), term_months=12, start_date=date(YEAR, 2, 1))
    time_machine.move_to(date(YEAR, 4, 2))
    record_repayment(loan, actor=finance, paid_on=date(YEAR, 2, 15))
    record_repayment(loan, actor=finance, paid_on=date(YEAR, 3, 15))
    pay_quarter_subsidies(actor=finance, quarter=date(YEAR, 1, 1), on=date(YEAR, 4, 2))

    # --- employment (人社局, 就业创业) -------------------------------------------------------------------
    time_machine.move_to(date(YEAR, 7, 1))
    employment = make_policy("就业困难人员认定", department="人社局", kind="service", life_situations=["employment"],
                             time_limit_days=15)
    rs = world.user("handler.rs")

    def employment_task(person, *, actor="clerk.wuxian", window="五显镇", channel="window"):
        task = submit([employment], applicant=person, actor=actor, window=window, channel=channel).tasks.get()
        actions.accept_task(task, actor=rs)
        actions.start_investigation(task, actor=rs)
        return task

    task = employment_task(make_person("就业五显"))
    actions.propose_decision(task, actor=rs, note="符合")
    time_machine.move_to(date(YEAR, 7, 3))
    actions.approve(task, actor=rs, reason="认定", goods="就业援助")
    time_machine.move_to(date(YEAR, 7, 1))
    task = employment_task(make_person("就业莲花", area=world.lianhua_village, actor=clerk_lh), actor="clerk.lianhua",
                           window="莲花镇", channel="online")
    time_machine.move_to(date(YEAR, 8, 30))
    actions.refuse(task, actor=rs, reason="不符合")
    time_machine.move_to(date(YEAR, 7, 1))
    task = employment_task(make_person("就业莲花二", area=world.lianhua_village, actor=clerk_lh),
                           actor="clerk.lianhua", window="莲花镇")
    actions.propose_decision(task, actor=rs, note="符合")
    time_machine.move_to(date(YEAR, 7, 10))
    actions.approve(task, actor=rs, reason="认定", goods="就业援助")
    actions.close_task(task, actor=rs, note="办结")
    employment_task(make_person("就业未决"))

    # --- relief: stock, a supplier agreement, a campaign with two deliveries ----------------------------
    time_machine.move_to(date(YEAR, 11, 1))
    keeper = world.user("storekeeper")
    quilt = Item.objects.create(code="r-quilt", name="报表棉被", unit="床")
    warehouse = Store.objects.create(name="区仓库（报表）", kind="warehouse", organisation=world.org("区民政局"),
                                     area=world.district)
    store_wx = Store.objects.create(name="五显镇物资点（报表）", kind="town", organisation=world.org("五显镇"),
                                    area=world.wuxian)
    store_lh = Store.objects.create(name="莲花镇物资点（报表）", kind="town", organisation=world.org("莲花镇"),
                                    area=world.lianhua)
    supplier = Store.objects.create(name="古龙储备（报表）", kind="supplier", organisation=world.org("古龙"),
                                    area=world.district)
    agreement = Agreement.objects.create(store=supplier, number="R-1", valid_from=date(YEAR, 1, 1),
                                         valid_to=date(YEAR + 5, 12, 31), lead_time_days=2)
    AgreementLine.objects.create(agreement=agreement, item=quilt, reserved_quantity=2753)
    for store, quantity in ((warehouse, 100), (store_wx, 10), (store_lh, 10)):
        stock_actions.receive_stock(actor=keeper, store=store, item=quilt, quantity=quantity)
    yang = make_person("杨全")
    chen = make_person("陈特", area=world.lianhua_village, actor=clerk_lh)
    zhou = make_person("周特", area=world.lianhua_village, actor=clerk_lh)
    tekun = Category.objects.get(code="tekun")
    for person, clerk in ((yang, clerk_wx), (chen, clerk_lh), (zhou, clerk_lh)):
        assign_category(actor=clerk, category=tekun, valid_from=date(YEAR - 1, 1, 1), source="manual", reason="测试",
                        person=person)
    campaign = create_campaign(
        actor=keeper, name="寒冬送温暖（报表测试）", organisation=world.org("区民政局"), area=world.district,
        starts_on=date(YEAR, 11, 1), ends_on=date(YEAR + 1, 2, 28), categories=Category.objects.filter(code="tekun"),
        items={quilt: 2}, store=warehouse,
        teams=[TeamSpec(town=world.wuxian, store=store_wx), TeamSpec(town=world.lianhua, store=store_lh)])
    generate_roster(campaign, actor=keeper)
    time_machine.move_to(date(YEAR, 11, 20))
    from PIL import Image, ImageDraw

    from onedoor.relief.campaigns import image_file

    image = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 90), (80, 20), (150, 100), (290, 30)], fill=(0, 0, 0, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    for person in (yang, chen):
        entry = RosterEntry.objects.get(campaign=campaign, person=person)
        signature = image_file(buffer.getvalue(), content_type="image/png", field="signature", name="sig.png")
        deliver(entry, actor=keeper, recipient_name=person.name, signature=signature, on=date(YEAR, 11, 20))
    time_machine.move_to(date(YEAR, 12, 1))
    return ReportWorld(YEAR, dibao, temp, employment, campaign, quilt, supplier)

"""The registry in a real browser (Debian's Chromium), on a phone-sized screen: register a person at the
window, find them by initials, reveal the ID with a reason, and bulk-import a GBK CSV with a bad row."""

from datetime import date

from onedoor.core.idnumber import make_id_number
from onedoor.core.models import AccessLog
from onedoor.registry.models import Person


def test_register_find_and_reveal(page, live_server, world, sign_in):
    number = make_id_number("350212", date(1950, 2, 3), 41)
    sign_in("clerk.wuxian")
    page.goto(f"{live_server.url}/registry/persons/new/")
    page.fill("input[name=name]", "楊全")
    page.fill("input[name=id_number]", " ".join([number[:6], number[6:14], number[14:]]).lower())
    page.select_option("select[name=residence_area]", world.wuxian_village.code)
    page.click("button[type=submit] >> text=保存")
    page.wait_for_selector("[data-testid=identity]")
    assert number not in page.content()  # masked
    person = Person.objects.get(id_number=number)
    assert person.name_simplified == "杨全"

    page.goto(f"{live_server.url}/registry/persons/")
    page.fill("input[name=q]", "yq")
    page.wait_for_function("document.body.innerText.includes('杨全') || document.body.innerText.includes('楊全')")

    page.goto(f"{live_server.url}/registry/persons/{person.pk}/")
    page.click("summary >> text=查看完整号码")
    page.fill("input[name=reason]", "核对银行代发信息")
    page.click("form[action$='reveal-id/'] button[type=submit]")
    page.wait_for_selector("[data-testid=revealed-id]")
    assert number in page.inner_text("[data-testid=revealed-id]")
    assert AccessLog.objects.filter(action="unmask", target_id=str(person.pk)).count() == 1


def test_bulk_import_of_a_gbk_csv_with_a_bad_row(page, live_server, world, tmp_path, sign_in):
    good = make_id_number("350212", date(1960, 5, 6), 51)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    village = world.wuxian_village
    csv_text = "姓名,身份证号,区划代码,住址\r\n" + f"陈好,{good},{village.code},一号\r\n" + f"陈错,{bad},{village.code},二号\r\n"
    path = tmp_path / "台账.csv"
    path.write_bytes(csv_text.encode("gbk"))

    sign_in("clerk.wuxian")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/registry/import/new/")
    page.set_input_files("input[type=file]", str(path))
    page.click("button[type=submit] >> text=上传并校验")
    page.wait_for_selector("[data-testid=import-errors]", timeout=30000)
    assert "校验码" in page.inner_text("[data-testid=import-errors]")
    page.click("button[type=submit] >> text=导入 1 行")
    page.wait_for_selector("[data-status=committed]", timeout=30000)
    assert Person.objects.filter(id_number=good).exists()
    assert not Person.objects.filter(name="陈错").exists()

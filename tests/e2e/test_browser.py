"""End to end in a real browser (Debian's Chromium driven by Playwright) against a live server."""


def test_clerk_signs_in_searches_areas_and_exports_with_a_progress_bar(page, live_server, world, sign_in):
    sign_in("clerk.wuxian")
    assert "窗口受理员" in page.content()
    page.goto(f"{live_server.url}/areas/")
    page.wait_for_selector("[data-chart-ready=true] svg")  # the ECharts bar chart rendered
    page.fill("#area-q", "五显")
    page.wait_for_function("document.querySelector('#area-rows').innerText.includes('共')")
    rows = page.locator("#area-rows tbody tr")
    assert rows.count() >= 1
    assert "莲花" not in page.locator("#area-rows").inner_text()
    page.click("text=导出 Excel")
    page.wait_for_selector(".job-progress[data-status=succeeded]", timeout=20000)
    with page.expect_download() as download:
        page.click("text=下载结果文件")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors


def test_lockout_message_in_the_browser(page, live_server, world, sign_in):
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(5):  # the fifth failure locks the account and shows the lockout page
        page.fill("input[name=username]", "patrol")
        page.fill("input[name=password]", "wrong-password")
        page.click("[data-testid=login-submit]")
    assert "临时锁定" in page.content()


def test_api_docs_page_renders_swagger_from_local_files(page, live_server, world, sign_in):
    sign_in("dispatcher")
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info")
    assert "OneDoor" in page.inner_text(".swagger-ui .info")
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors

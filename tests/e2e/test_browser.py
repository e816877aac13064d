"""End to end in a real browser (Debian's Chromium driven by Playwright) against a live server."""

import os
import shutil

import pytest

from onedoor.demo.demo_steps import DEMO_PASSWORD as PASSWORD

CHROMIUM = os.environ.get("ONEDOOR_CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API keeps an event loop in this thread; the test's own ORM calls are still
# synchronous, so Django's async-safety guard is lifted for this module only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM),
                       reason="Chromium is not installed (scripts/setup.sh installs it)"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_clerk_signs_in_searches_areas_and_exports_with_a_progress_bar(page, live_server, world):
    sign_in(page, live_server, "clerk.wuxian")
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


def test_lockout_message_in_the_browser(page, live_server, world):
    page.goto(f"{live_server.url}/accounts/login/")
    for _ in range(5):  # the fifth failure locks the account and shows the lockout page
        page.fill("input[name=username]", "patrol")
        page.fill("input[name=password]", "wrong-password")
        page.click("[data-testid=login-submit]")
    assert "临时锁定" in page.content()


def test_api_docs_page_renders_swagger_from_local_files(page, live_server, world):
    sign_in(page, live_server, "dispatcher")
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info")
    assert "OneDoor" in page.inner_text(".swagger-ui .info")
    assert not [e for e in page.console_errors if "Content Security Policy" in e], page.console_errors

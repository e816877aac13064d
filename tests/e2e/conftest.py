"""Shared set-up of the browser tests: Debian's Chromium driven by Playwright, a phone-sized page, and
signing in. Every test here is marked `e2e`, runs against the live server, and is skipped (with the
reason) only when Chromium is not installed."""

import os
from pathlib import Path

import pytest

from onedoor.demo.demo_steps import DEMO_PASSWORD

CHROMIUM = os.environ.get("ONEDOOR_CHROMIUM", "/usr/bin/chromium")

# Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls are still
# synchronous, so Django's async-safety guard is lifted for the browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    missing = not os.path.exists(CHROMIUM)
    for item in items:
        if Path(str(item.fspath)).parent == HERE:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))
            if missing:
                item.add_marker(pytest.mark.skip(reason="Chromium is not installed (scripts/setup.sh installs it)"))


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


@pytest.fixture
def sign_in(page, live_server):
    def sign_in_as(username: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("[data-testid=login-submit]")
        page.wait_for_url(f"{live_server.url}/")

    return sign_in_as

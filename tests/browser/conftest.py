import os

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import CHROMIUM

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around it are
    # ordinary synchronous calls, so Django's guard against async contexts does not apply.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def language():
    """The browser's language (sent as Accept-Language); None is Chromium's own. Parametrize it to change it."""
    return None


@pytest.fixture
def page(browser, live_server, language):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale=language)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    yield page
    context.close()


@pytest.fixture
def sign_in():
    def sign_in(page, user, password="correct-horse-battery"):
        page.goto("/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")

    return sign_in


@pytest.fixture
def signed_in(live_server):
    """Give the page's browser a session of the user, without the sign-in form (and in any language)."""

    def signed_in(page, user):
        client = Client()
        # The last backend signs in; django-axes' first one only refuses locked sign-ins.
        client.force_login(user, backend=settings.AUTHENTICATION_BACKENDS[-1])
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page.goto("/")
        assert page.url == f"{live_server.url}/", f"{user} is not signed in: {page.url}"

    return signed_in

"""Manage Your Apps: a seller removes the application, and its tokens stop working."""

import pytest
import requests

from amazon_sandbox.app import registered_application
from amazon_sandbox.models import AppAuthorization
from amazon_sandbox.services import REVOKED_DESCRIPTION
from tests.amazon_sandbox.flow import lwa_error

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = "/sandbox/sellercentral/apps/manage"


def test_removing_the_app_revokes_its_refresh_and_access_tokens(sandbox):
    browser = requests.Session()
    code = sandbox.authorize(browser)["spapi_oauth_code"][0]
    tokens = sandbox.exchange(code).json()
    page = sandbox.get(browser, MANAGE)
    assert page.status_code == 200
    assert "Manage Your Apps" in page.text
    assert "Amazon Sales Channel (sandbox)" in page.text
    authorization = AppAuthorization.objects.get()

    removed = sandbox.post(browser, f"{MANAGE}/{authorization.pk}/remove", {}, form_page=MANAGE)

    assert removed.headers["Location"] == MANAGE
    assert "You removed the application" in sandbox.get(browser, MANAGE).text
    assert "You have not authorized any application" in sandbox.get(browser, MANAGE).text
    refresh = sandbox.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert lwa_error(refresh) == (400, {"error": "invalid_grant", "error_description": REVOKED_DESCRIPTION})
    assert sandbox.participations(tokens["access_token"]).status_code == 403


def test_one_row_per_grant_and_only_the_sellers_own(sandbox):
    sandbox.tokens()
    sandbox.tokens()
    sandbox.tokens(browser=requests.Session(), login="us-only-seller@example.com")
    browser = requests.Session()
    sandbox.sign_in(browser, login="eu-seller@example.com")
    assert "You have not authorized any application" in sandbox.get(browser, MANAGE).text
    browser = requests.Session()
    sandbox.sign_in(browser)

    page = sandbox.get(browser, MANAGE).text

    assert page.count(registered_application().application_id) == 1
    assert AppAuthorization.objects.count() == 2


def test_a_seller_cannot_remove_another_sellers_grant(sandbox):
    sandbox.tokens()
    other = AppAuthorization.objects.get()
    browser = requests.Session()
    sandbox.sign_in(browser, login="us-only-seller@example.com")

    sandbox.post(browser, f"{MANAGE}/{other.pk}/remove", {}, form_page=MANAGE)

    assert AppAuthorization.objects.filter(pk=other.pk).exists()


def test_removing_needs_the_csrf_token(sandbox):
    browser = requests.Session()
    sandbox.tokens(browser=browser)
    authorization = AppAuthorization.objects.get()

    response = browser.post(sandbox.page(f"{MANAGE}/{authorization.pk}/remove"), allow_redirects=False, timeout=10)

    assert response.status_code == 403
    assert AppAuthorization.objects.exists()


def test_manage_your_apps_needs_a_sandbox_sign_in(sandbox):
    browser = requests.Session()

    response = sandbox.get(browser, MANAGE)
    sandbox.sign_in(browser)

    assert response.headers["Location"] == "/sandbox/sellercentral/ap/signin"
    assert sandbox.get(browser, MANAGE).status_code == 200


def test_signing_out_asks_for_the_sign_in_again(sandbox):
    browser = requests.Session()
    sandbox.sign_in(browser)

    response = sandbox.post(browser, "/sandbox/sellercentral/ap/signout", {}, form_page=MANAGE)

    assert response.headers["Location"] == "/sandbox/sellercentral/ap/signin"
    assert sandbox.get(browser, MANAGE).headers["Location"] == "/sandbox/sellercentral/ap/signin"
    assert "Demo sellers" in sandbox.get(browser, "/sandbox/sellercentral/ap/signin").text

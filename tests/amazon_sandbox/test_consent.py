"""The sandbox's Seller Central consent pages, over real HTTP."""

import re

import pytest
import requests

from tests.amazon_sandbox.flow import TIMEOUT, query, registration_change

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_consent_flow_sends_the_seller_back_with_a_code_the_state_and_the_seller(sandbox):
    browser = requests.Session()

    start = sandbox.get(browser, sandbox.consent_url(state="s" * 64))
    assert start.status_code == 302
    assert start.headers["Referrer-Policy"] == "no-referrer"
    sign_in = sandbox.get(browser, start.headers["Location"])
    assert "Sign in" in sign_in.text
    assert "Sandbox" in sign_in.text
    assert "na-seller@example.com" in sign_in.text
    assert "eu-seller@example.com" in sign_in.text
    assert "<code>sandbox</code>" in sign_in.text

    mfa = sandbox.post(
        browser, "/sandbox/sellercentral/ap/signin", {"login": "na-seller@example.com", "password": "sandbox"}
    )
    assert mfa.headers["Location"] == "/sandbox/sellercentral/ap/mfa"
    mfa_page = sandbox.get(browser, "/sandbox/sellercentral/ap/mfa").text
    assert "Two-Step Verification" in mfa_page
    code = re.search(r'id="sandbox-mfa-code">(\d{6})<', mfa_page).group(1)

    consent = sandbox.post(browser, "/sandbox/sellercentral/ap/mfa", {"code": code})
    assert consent.headers["Location"] == "/sandbox/sellercentral/apps/authorize/confirm"
    consent_page = sandbox.get(browser, consent.headers["Location"])
    assert "Amazon Sales Channel (sandbox)" in consent_page.text
    assert "I understand" in consent_page.text
    assert "Northwind Outfitters" in consent_page.text
    # Form pages keep the site's policy: with no-referrer, browsers post "Origin: null" and CSRF refuses it.
    assert consent_page.headers["Referrer-Policy"] == "same-origin"

    almost = sandbox.post(browser, consent.headers["Location"], {"understand": "on", "next": "1"})
    assert almost.headers["Location"] == "/sandbox/sellercentral/apps/authorize/almost-done"
    assert "You are almost done" in sandbox.get(browser, almost.headers["Location"]).text

    done = sandbox.post(browser, almost.headers["Location"], {})
    assert done.status_code == 302
    assert done.headers["Referrer-Policy"] == "no-referrer"
    assert done.headers["Location"].startswith(sandbox.redirect_uri + "?")
    params = query(done.headers["Location"])
    assert set(params) == {"spapi_oauth_code", "state", "selling_partner_id"}
    assert params["state"] == ["s" * 64]
    assert params["selling_partner_id"] == ["A2NASELLER0001"]
    assert re.fullmatch(r"AN[A-Za-z]{18}", params["spapi_oauth_code"][0])


def test_the_state_comes_back_unchanged_whatever_it_holds(sandbox):
    state = "a-b_c.d~e+f/g=h%i&j k"

    assert sandbox.authorize(state=state)["state"] == [state]


def test_a_phone_number_signs_in(sandbox):
    params = sandbox.authorize(login="+1 (206) 555-0103")

    assert params["selling_partner_id"] == ["A2USONLYSELL03"]


def test_wrong_credentials_show_an_error_and_go_no_further(sandbox):
    browser = requests.Session()
    sandbox.get(browser, sandbox.consent_url())

    response = sandbox.post(
        browser, "/sandbox/sellercentral/ap/signin", {"login": "na-seller@example.com", "password": "wrong"}
    )

    assert response.status_code == 200
    assert "We cannot find an account with that email address or phone number and password." in response.text
    assert sandbox.get(browser, "/sandbox/sellercentral/ap/mfa").headers["Location"].endswith("/ap/signin")
    assert (
        sandbox.get(browser, "/sandbox/sellercentral/apps/authorize/confirm").headers["Location"].endswith("/ap/signin")
    )


def test_a_wrong_two_factor_code_shows_an_error(sandbox):
    browser = requests.Session()
    sandbox.get(browser, sandbox.consent_url())
    sandbox.post(browser, "/sandbox/sellercentral/ap/signin", {"login": "na-seller@example.com", "password": "sandbox"})
    code = sandbox.mfa_code(browser)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = sandbox.post(browser, "/sandbox/sellercentral/ap/mfa", {"code": wrong})

    assert response.status_code == 200
    assert "The code you entered is not valid" in response.text
    assert sandbox.post(browser, "/sandbox/sellercentral/ap/mfa", {"code": code}).status_code == 302


def test_each_sign_in_gets_a_fresh_code_and_five_wrong_codes_end_it(sandbox):
    browser = requests.Session()
    sandbox.post(browser, "/sandbox/sellercentral/ap/signin", {"login": "eu-seller@example.com", "password": "sandbox"})
    codes = {sandbox.mfa_code(browser)}
    for _ in range(5):
        sandbox.post(browser, "/sandbox/sellercentral/ap/mfa", {"code": "abcdef"})
        sandbox.post(
            browser, "/sandbox/sellercentral/ap/signin", {"login": "eu-seller@example.com", "password": "sandbox"}
        )
        codes.add(sandbox.mfa_code(browser))

    assert len(codes) >= 5
    for _ in range(5):
        last = sandbox.post(browser, "/sandbox/sellercentral/ap/mfa", {"code": "000000"})
    assert last.headers["Location"].endswith("/ap/signin")


def test_next_needs_the_i_understand_box(sandbox):
    browser = requests.Session()
    sandbox.get(browser, sandbox.consent_url())
    sandbox.sign_in(browser)

    response = sandbox.post(browser, "/sandbox/sellercentral/apps/authorize/confirm", {"next": "1"})

    assert response.status_code == 200
    assert "Tick the box" in response.text
    assert sandbox.get(browser, "/sandbox/sellercentral/apps/authorize/almost-done").status_code == 302


def test_cancel_sends_access_denied_and_the_state_only(sandbox):
    browser = requests.Session()
    sandbox.get(browser, sandbox.consent_url(state="cancel-state"))
    sandbox.sign_in(browser)

    response = sandbox.post(browser, "/sandbox/sellercentral/apps/authorize/confirm", {"cancel": "1"})

    assert response.status_code == 302
    assert response.headers["Location"].startswith(sandbox.redirect_uri + "?")
    assert query(response.headers["Location"]) == {"error": ["access_denied"], "state": ["cancel-state"]}
    # Answered once: the request is gone.
    assert sandbox.get(browser, "/sandbox/sellercentral/apps/authorize/confirm").status_code == 400


def test_a_signed_in_seller_goes_straight_to_consent(sandbox):
    browser = requests.Session()
    sandbox.authorize(browser)

    response = sandbox.get(browser, sandbox.consent_url(state="second"))

    assert response.headers["Location"] == "/sandbox/sellercentral/apps/authorize/confirm"
    assert sandbox.authorize(browser, state="second")["state"] == ["second"]


def test_the_redirect_uri_may_be_given_when_it_is_the_registered_one(sandbox):
    assert sandbox.authorize(redirect_uri=sandbox.redirect_uri)["selling_partner_id"] == ["A2NASELLER0001"]


def test_version_beta_is_optional_for_a_published_app(sandbox):
    assert sandbox.authorize(version=None)["selling_partner_id"] == ["A2NASELLER0001"]


@pytest.mark.parametrize(
    ("params", "draft", "code"),
    [
        ({"application_id": "amzn1.sp.solution.someone-else"}, False, "MD9000"),
        ({"application_id": None}, False, "MD9000"),
        ({"state": None}, False, "MD9001"),
        ({"state": "x" * 2049}, False, "MD9001"),
        ({"redirect_uri": "https://attacker.example/amazon/callback/"}, False, "MD5101"),
        ({"redirect_uri": "REGISTERED#fragment"}, False, "MD5110"),
        ({"version": None}, True, "MD1000"),
        ({"version": "1"}, True, "MD1000"),
    ],
)
def test_a_bad_consent_request_gets_amazons_error_page(sandbox, settings, params, draft, code):
    registration_change(settings, IS_DRAFT=draft)
    if params.get("redirect_uri", "").startswith("REGISTERED"):
        params = {"redirect_uri": params["redirect_uri"].replace("REGISTERED", sandbox.redirect_uri)}

    response = requests.get(sandbox.consent_url(**params), allow_redirects=False, timeout=TIMEOUT)

    assert response.status_code == 400
    assert f"<strong>{code}</strong>" in response.text
    assert "Sandbox" in response.text
    if "state" in response.url:
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_checks_run_in_amazons_order(sandbox, settings):
    registration_change(settings, IS_DRAFT=True)
    url = sandbox.consent_url(application_id="unknown", state=None, redirect_uri="https://x.example/#a", version=None)

    response = requests.get(url, allow_redirects=False, timeout=TIMEOUT)

    assert "<strong>MD9000</strong>" in response.text


def test_pages_without_a_request_in_progress_say_so(sandbox):
    browser = requests.Session()
    sandbox.sign_in(browser)

    response = sandbox.get(browser, "/sandbox/sellercentral/apps/authorize/almost-done")

    assert response.status_code == 400
    assert "There is no authorization request in progress" in response.text


def test_the_pages_have_no_inline_script_or_style(sandbox):
    browser = requests.Session()
    error = sandbox.get(browser, sandbox.consent_url(application_id="unknown")).text
    html = error + sandbox.get(browser, "/sandbox/sellercentral/ap/signin").text

    assert "<script" not in html
    assert "style=" not in html
    assert "<style" not in html


def test_the_pages_use_the_sandboxs_own_stylesheet(sandbox):
    html = sandbox.get(requests.Session(), "/sandbox/sellercentral/ap/signin").text
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)

    response = requests.get(sandbox.page(stylesheet), timeout=TIMEOUT)

    assert stylesheet.endswith("/amazon_sandbox/css/sandbox.css")
    assert response.status_code == 200
    assert ".sc-sandbox-banner" in response.text

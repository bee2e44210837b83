"""Manage Your Apps › Re-Authorize and the confirm endpoint: the Log-in URI workflow, over real HTTP."""

import re
from datetime import timedelta

import pytest
import requests
import time_machine
from django.utils import timezone

from amazon_sandbox.app import registered_application
from amazon_sandbox.models import AppAuthorization, AuthorizationCode
from amazon_sandbox.services import authorization_backdate
from tests.amazon_sandbox.flow import TIMEOUT, query, registration_change

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = "/sandbox/sellercentral/apps/manage"


@pytest.fixture
def login_uri(sandbox, settings):
    uri = f"{sandbox.url}/amazon/login/"
    registration_change(settings, LOGIN_URI=uri)
    return uri


def _authorized(sandbox, *, login="na-seller@example.com") -> tuple[requests.Session, AppAuthorization]:
    """Connect the seller to the application, leaving it signed in to the sandbox in the returned browser."""
    browser = requests.Session()
    sandbox.exchange(sandbox.authorize(browser, login=login)["spapi_oauth_code"][0])
    seller_grant = AppAuthorization.objects.get(seller__email=login)
    return browser, seller_grant


def _reauthorize(sandbox, browser, grant: AppAuthorization) -> requests.Response:
    return sandbox.post(browser, f"{MANAGE}/{grant.pk}/reauthorize", {}, form_page=MANAGE)


def _login_uri_params(sandbox, browser, grant) -> dict[str, str]:
    response = _reauthorize(sandbox, browser, grant)
    assert response.status_code == 303
    return {name: values[0] for name, values in query(response.headers["Location"]).items()}


def _confirm_uri(sandbox) -> str:
    return f"{sandbox.url}/sandbox/sellercentral/apps/authorize/confirm/{registered_application().application_id}"


def test_manage_your_apps_shows_the_grant_its_expiry_and_re_authorize(sandbox, login_uri):
    browser, grant = _authorized(sandbox)
    authorization_backdate(authorization_id=grant.pk, days=400)

    page = sandbox.get(browser, MANAGE).text

    assert "Re-Authorize" in page
    assert f'action="{MANAGE}/{grant.pk}/reauthorize"' in page
    grant.refresh_from_db()
    assert f"{grant.granted_at:%Y}" in page
    assert "Expired" in page


def test_re_authorize_opens_the_log_in_uri_with_amazons_parameters(sandbox, login_uri):
    browser, grant = _authorized(sandbox)

    response = _reauthorize(sandbox, browser, grant)

    assert response.status_code == 303
    assert response.headers["Referrer-Policy"] == "no-referrer"
    location = response.headers["Location"]
    assert location.startswith(login_uri + "?")
    params = query(location)
    assert set(params) == {"amazon_callback_uri", "amazon_state", "selling_partner_id"}
    assert params["amazon_callback_uri"] == [_confirm_uri(sandbox)]
    assert params["selling_partner_id"] == ["A2NASELLER0001"]
    assert len(params["amazon_state"][0]) >= 32
    assert _login_uri_params(sandbox, browser, grant)["amazon_state"] != params["amazon_state"][0]


def test_a_draft_application_gets_version_beta(sandbox, login_uri, settings):
    browser, grant = _authorized(sandbox)
    registration_change(settings, IS_DRAFT=True)

    assert _login_uri_params(sandbox, browser, grant)["version"] == "beta"


def test_the_round_trip_gives_a_code_that_renews_the_grant(sandbox, login_uri):
    browser, grant = _authorized(sandbox)
    authorization_backdate(authorization_id=grant.pk, days=370)
    params = _login_uri_params(sandbox, browser, grant)

    confirm = sandbox.confirm(
        browser,
        amazon_callback_uri=params["amazon_callback_uri"],
        amazon_state=params["amazon_state"],
        state="the-applications-own-state",
    )
    assert confirm.status_code == 302
    assert confirm.headers["Referrer-Policy"] == "no-referrer"
    assert confirm.headers["Location"] == "/sandbox/sellercentral/apps/authorize/confirm"
    consent_page = sandbox.get(browser, confirm.headers["Location"]).text
    assert "I understand" in consent_page
    assert "Northwind Outfitters" in consent_page
    done = sandbox.consent_to_the_end(browser)

    assert done.status_code == 302
    assert done.headers["Location"].startswith(sandbox.redirect_uri + "?")
    back = query(done.headers["Location"])
    assert set(back) == {"spapi_oauth_code", "state", "selling_partner_id"}
    assert back["state"] == ["the-applications-own-state"]
    assert back["selling_partner_id"] == ["A2NASELLER0001"]
    tokens = sandbox.exchange(back["spapi_oauth_code"][0])
    assert tokens.status_code == 200
    refreshed = sandbox.token(grant_type="refresh_token", refresh_token=tokens.json()["refresh_token"])
    assert refreshed.status_code == 200
    assert sandbox.participations(refreshed.json()["access_token"]).status_code == 200
    grant.refresh_from_db()
    assert timezone.now() - grant.granted_at < timedelta(minutes=1)


def test_the_redirect_uri_may_be_named_when_it_is_registered(sandbox, login_uri):
    browser, grant = _authorized(sandbox)
    params = _login_uri_params(sandbox, browser, grant)

    sandbox.confirm(
        browser,
        amazon_callback_uri=params["amazon_callback_uri"],
        amazon_state=params["amazon_state"],
        state="s-1",
        redirect_uri=sandbox.redirect_uri,
    )
    done = sandbox.consent_to_the_end(browser)

    assert query(done.headers["Location"])["state"] == ["s-1"]


def test_cancel_sends_access_denied_back(sandbox, login_uri):
    browser, grant = _authorized(sandbox)
    params = _login_uri_params(sandbox, browser, grant)
    sandbox.confirm(
        browser, amazon_callback_uri=params["amazon_callback_uri"], amazon_state=params["amazon_state"], state="s-2"
    )

    response = sandbox.post(browser, "/sandbox/sellercentral/apps/authorize/confirm", {"cancel": "1"})

    assert query(response.headers["Location"]) == {"error": ["access_denied"], "state": ["s-2"]}


def test_an_amazon_state_works_once(sandbox, login_uri):
    browser, grant = _authorized(sandbox)
    params = _login_uri_params(sandbox, browser, grant)
    answer = {"amazon_callback_uri": params["amazon_callback_uri"], "amazon_state": params["amazon_state"]}
    assert sandbox.confirm(browser, **answer, state="first").status_code == 302

    again = sandbox.confirm(browser, **answer, state="second")

    assert again.status_code == 400
    assert "<strong>MD9002</strong>" in again.text


def test_an_amazon_state_expires(sandbox, login_uri):
    browser, grant = _authorized(sandbox)
    params = _login_uri_params(sandbox, browser, grant)

    with time_machine.travel(timedelta(minutes=15, seconds=5)):
        late = sandbox.confirm(
            browser, amazon_callback_uri=params["amazon_callback_uri"], amazon_state=params["amazon_state"], state="s"
        )

    assert "<strong>MD9002</strong>" in late.text


def test_an_amazon_state_works_only_in_the_browser_it_was_issued_to(sandbox, login_uri):
    browser, grant = _authorized(sandbox)
    params = _login_uri_params(sandbox, browser, grant)
    other = requests.Session()
    sandbox.sign_in(other)

    response = sandbox.confirm(
        other, amazon_callback_uri=params["amazon_callback_uri"], amazon_state=params["amazon_state"], state="s"
    )

    assert response.status_code == 400
    assert "<strong>MD9002</strong>" in response.text


@pytest.mark.parametrize("amazon_state", [None, "", "forged-amazon-state", "x" * 5000])
def test_a_missing_or_forged_amazon_state_is_refused(sandbox, login_uri, amazon_state):
    browser, grant = _authorized(sandbox)
    _login_uri_params(sandbox, browser, grant)

    response = sandbox.confirm(browser, amazon_callback_uri=_confirm_uri(sandbox), amazon_state=amazon_state, state="s")

    assert response.status_code == 400
    assert "<strong>MD9002</strong>" in response.text
    assert "Start again from Manage Your Apps" in response.text


@pytest.mark.parametrize(
    ("params", "draft", "code"),
    [
        ({"state": None}, False, "MD9001"),
        ({"state": "x" * 2049}, False, "MD9001"),
        ({"redirect_uri": "https://attacker.example/amazon/callback/"}, False, "MD5101"),
        ({"redirect_uri": "REGISTERED#fragment"}, False, "MD5110"),
        ({"version": None}, True, "MD1000"),
    ],
)
def test_the_applications_parameters_are_checked_as_at_consent(sandbox, login_uri, settings, params, draft, code):
    browser, grant = _authorized(sandbox)
    registration_change(settings, IS_DRAFT=draft)
    login = _login_uri_params(sandbox, browser, grant)
    if params.get("redirect_uri", "").startswith("REGISTERED"):
        params = {"redirect_uri": params["redirect_uri"].replace("REGISTERED", sandbox.redirect_uri)}
    answer = {"amazon_state": login["amazon_state"], "state": "s", "version": "beta", **params}

    refused = sandbox.confirm(browser, amazon_callback_uri=login["amazon_callback_uri"], **answer)
    # Only an accepted request spends the amazon_state: the application may answer again, correctly.
    accepted = sandbox.confirm(
        browser,
        amazon_callback_uri=login["amazon_callback_uri"],
        amazon_state=login["amazon_state"],
        state="s",
        version="beta",
    )

    assert refused.status_code == 400
    assert f"<strong>{code}</strong>" in refused.text
    assert accepted.status_code == 302


def test_the_checks_run_in_a_fixed_order(sandbox, login_uri, settings):
    browser, grant = _authorized(sandbox)
    registration_change(settings, IS_DRAFT=True)
    amazon_state = _login_uri_params(sandbox, browser, grant)["amazon_state"]
    unknown_app = f"{sandbox.url}/sandbox/sellercentral/apps/authorize/confirm/amzn1.sp.solution.someone-else"
    everything_wrong = {"amazon_state": "forged", "redirect_uri": "https://x.example/#a"}

    steps = [
        sandbox.confirm(browser, amazon_callback_uri=unknown_app, amazon_state=amazon_state, state="s"),
        sandbox.confirm(browser, amazon_callback_uri=_confirm_uri(sandbox), **everything_wrong),
        sandbox.confirm(
            browser, amazon_callback_uri=_confirm_uri(sandbox), amazon_state=amazon_state, redirect_uri="https://x/#a"
        ),
        sandbox.confirm(
            browser,
            amazon_callback_uri=_confirm_uri(sandbox),
            amazon_state=amazon_state,
            state="s",
            redirect_uri="https://x.example/#a",
        ),
        sandbox.confirm(browser, amazon_callback_uri=_confirm_uri(sandbox), amazon_state=amazon_state, state="s"),
    ]

    codes = [re.search(r'class="sc-error-code">[^<]*<strong>(\w+)</strong>', step.text).group(1) for step in steps]
    assert codes == ["MD9000", "MD9002", "MD9001", "MD5110", "MD1000"]


def test_a_repeated_parameter_is_refused(sandbox, login_uri):
    browser, grant = _authorized(sandbox)
    amazon_state = _login_uri_params(sandbox, browser, grant)["amazon_state"]

    response = browser.get(
        f"{_confirm_uri(sandbox)}?amazon_state={amazon_state}&state=a&state=b", allow_redirects=False, timeout=TIMEOUT
    )

    assert "<strong>MD9001</strong>" in response.text


def test_a_signed_out_seller_signs_in_again_and_the_request_waits(sandbox, login_uri):
    browser, grant = _authorized(sandbox)
    params = _login_uri_params(sandbox, browser, grant)
    sandbox.post(browser, "/sandbox/sellercentral/ap/signout", {}, form_page=MANAGE)

    confirm = sandbox.confirm(
        browser, amazon_callback_uri=params["amazon_callback_uri"], amazon_state=params["amazon_state"], state="s-3"
    )
    assert confirm.headers["Location"] == "/sandbox/sellercentral/ap/signin"
    signed_in = sandbox.sign_in(browser)
    assert signed_in.headers["Location"] == "/sandbox/sellercentral/apps/authorize/confirm"
    done = sandbox.consent_to_the_end(browser)

    assert query(done.headers["Location"])["state"] == ["s-3"]
    assert query(done.headers["Location"])["selling_partner_id"] == ["A2NASELLER0001"]


def test_another_seller_signing_in_cannot_answer_the_request(sandbox, login_uri):
    browser, grant = _authorized(sandbox)
    params = _login_uri_params(sandbox, browser, grant)
    sandbox.post(browser, "/sandbox/sellercentral/ap/signout", {}, form_page=MANAGE)
    sandbox.confirm(
        browser, amazon_callback_uri=params["amazon_callback_uri"], amazon_state=params["amazon_state"], state="s"
    )
    codes_before = AuthorizationCode.objects.count()

    sandbox.sign_in(browser, login="us-only-seller@example.com")
    refused = sandbox.get(browser, "/sandbox/sellercentral/apps/authorize/confirm")

    assert refused.status_code == 403
    assert "started by another seller account" in refused.text
    assert sandbox.get(browser, "/sandbox/sellercentral/apps/authorize/almost-done").status_code == 400
    assert AuthorizationCode.objects.count() == codes_before


def test_another_seller_signed_in_at_confirm_is_refused(sandbox, login_uri):
    browser, grant = _authorized(sandbox)
    params = _login_uri_params(sandbox, browser, grant)
    sandbox.post(browser, "/sandbox/sellercentral/ap/signout", {}, form_page=MANAGE)
    sandbox.sign_in(browser, login="us-only-seller@example.com")

    response = sandbox.confirm(
        browser, amazon_callback_uri=params["amazon_callback_uri"], amazon_state=params["amazon_state"], state="s"
    )

    assert "<strong>MD9002</strong>" in response.text


def test_re_authorize_needs_a_sign_in_the_csrf_token_and_the_sellers_own_grant(sandbox, login_uri):
    browser, grant = _authorized(sandbox)
    _, other_grant = _authorized(sandbox, login="us-only-seller@example.com")

    no_csrf = browser.post(sandbox.page(f"{MANAGE}/{grant.pk}/reauthorize"), allow_redirects=False, timeout=TIMEOUT)
    not_signed_in = requests.Session().get(sandbox.page(MANAGE), allow_redirects=False, timeout=TIMEOUT)
    others = _reauthorize(sandbox, browser, other_grant)
    get = sandbox.get(browser, f"{MANAGE}/{grant.pk}/reauthorize")

    assert no_csrf.status_code == 403
    assert not_signed_in.headers["Location"] == "/sandbox/sellercentral/ap/signin"
    assert others.status_code == 404
    assert "You have not authorized this application" in others.text
    assert get.status_code == 405


def test_without_a_log_in_uri_there_is_no_re_authorize(sandbox, settings):
    browser, grant = _authorized(sandbox)
    registration_change(settings, LOGIN_URI="")

    page = sandbox.get(browser, MANAGE).text
    response = _reauthorize(sandbox, browser, grant)

    assert "/reauthorize" not in page
    assert response.status_code == 400
    assert "no Log-in URI" in response.text

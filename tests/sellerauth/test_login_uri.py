"""The Log-in URI: renewal started in Seller Central (Manage Your Apps › Re-Authorize, Amazon's e-mails)."""

import html
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from django.core.checks import run_checks
from django.test import Client
from django.urls import reverse

from sellerauth.models import AuthorizationPurpose, AuthorizationRequest, SellerAuthorization
from sellerauth.token_vault import token_decrypt
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.sellerauth.authorizations import CA, US, authorization_create, store_link
from tests.sellerauth.conftest import callback

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "viewer", "manager", "auth_staff", "superuser"]
MAY_RENEW = {"auth_staff", "superuser"}
AMAZON_STATE = "amzn-state_0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@pytest.fixture
def confirm_uri(settings):
    return f"https://sellercentral.amazon.com/apps/authorize/confirm/{settings.SPAPI_APPLICATION_ID}"


@pytest.fixture
def shared(db):
    authorization = authorization_create(
        seller=amazon.SELLER, store_name="Northwind Outfitters", marketplace_ids=[US, CA]
    )
    store_link(authorization, name="Northwind US", marketplace="US")
    store_link(authorization, name="Northwind CA", marketplace="CA")
    return authorization


def _params(uri, **overrides):
    params = {"amazon_callback_uri": uri, "amazon_state": AMAZON_STATE, "selling_partner_id": amazon.SELLER}
    return {name: value for name, value in (params | overrides).items() if value is not None}


def _nothing_written():
    return not AuthorizationRequest.objects.exists() and not StoreEvent.objects.exists()


# The good way --------------------------------------------------------------------------------------------


def test_the_log_in_uri_asks_first_and_changes_nothing(staff_client, shared, confirm_uri):
    response = staff_client.get(reverse("sellerauth:login_uri"), _params(confirm_uri))

    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Renew the authorization of seller A2NASELLER0001" in page
    assert "Northwind Outfitters" in page
    assert "Northwind US" in page
    assert "Northwind CA" in page
    assert shared.expires_at.strftime("%b %-d, %Y") in page
    assert f'name="amazon_callback_uri" value="{confirm_uri}"' in page
    assert f'name="amazon_state" value="{AMAZON_STATE}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "no-store" in [directive.strip() for directive in response["Cache-Control"].split(",")]
    # Not no-referrer: a form on such a page posts "Origin: null", which the CSRF check refuses.
    assert response["Referrer-Policy"] == "same-origin"
    assert _nothing_written()


def test_continuing_sends_the_browser_back_to_seller_central_with_a_renew_state(
    staff_client, auth_staff, shared, confirm_uri, settings
):
    response = staff_client.post(reverse("sellerauth:login_uri"), _params(confirm_uri, version="beta"))

    assert response.status_code == 303
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in [directive.strip() for directive in response["Cache-Control"].split(",")]
    location = urlsplit(response.url)
    assert f"{location.scheme}://{location.netloc}{location.path}" == confirm_uri
    query = parse_qs(location.query)
    assert set(query) == {"amazon_state", "state", "redirect_uri"}  # not a draft: no version
    assert query["amazon_state"] == [AMAZON_STATE]
    assert query["redirect_uri"] == [settings.AMAZON_REDIRECT_URI]
    attempt = AuthorizationRequest.objects.get()
    assert (attempt.purpose, attempt.authorization, attempt.store, attempt.user) == (
        AuthorizationPurpose.RENEW,
        shared,
        None,
        auth_staff,
    )
    assert query["state"][0] not in attempt.state_hash
    assert StoreEvent.objects.filter(kind=StoreEvent.Kind.CONNECT_STARTED).count() == 2


def test_a_draft_application_adds_the_beta_version(staff_client, shared, confirm_uri, settings):
    settings.AMAZON_APP_IS_DRAFT = True

    response = staff_client.post(reverse("sellerauth:login_uri"), _params(confirm_uri))

    assert parse_qs(urlsplit(response.url).query)["version"] == ["beta"]


def test_the_whole_way_back_renews_the_authorization(staff_client, shared, confirm_uri, amazon_http):
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response())
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", "CA"))
    response = staff_client.post(reverse("sellerauth:login_uri"), _params(confirm_uri))
    state = parse_qs(urlsplit(response.url).query)["state"][0]

    # Seller Central confirms and sends the browser to the redirect URI, as in the website workflow.
    back = callback(staff_client, state=state, spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)

    assert "is renewed until" in html.unescape(staff_client.get(back.url).content.decode())
    shared.refresh_from_db()
    assert token_decrypt(shared.refresh_token_encrypted) == amazon.REFRESH_TOKEN
    assert shared.days_left == 365


def test_a_signed_out_user_signs_in_first_and_comes_back_with_the_parameters(client, auth_staff, shared, confirm_uri):
    url = f"{reverse('sellerauth:login_uri')}?{urlencode(_params(confirm_uri))}"

    response = client.get(url)

    assert response.status_code == 302
    login = urlsplit(response.url)
    assert login.path == reverse("login")
    assert parse_qs(login.query)["next"] == [url]
    # Only Amazon's parameters travel through the sign-in: nothing of this application's.
    assert "sellerauth" not in response.url
    assert not AuthorizationRequest.objects.exists()
    signed_in = client.post(
        response.url, {"username": "authstaff", "password": "correct-horse-battery", "next": url}, follow=True
    )
    assert signed_in.redirect_chain[-1][0] == url
    assert "Renew the authorization of seller A2NASELLER0001" in html.unescape(signed_in.content.decode())


def test_the_european_seller_central_renews_the_european_authorization(staff_client, settings):
    north_america = authorization_create(seller="A2BOTHSELLER09", store_name="Both Ways")
    europe = authorization_create(seller="A2BOTHSELLER09", store_name="Both Ways", region="EU")
    store_link(north_america, name="Both US", marketplace="US")
    store_link(europe, name="Both UK", marketplace="GB")
    eu_uri = f"https://sellercentral-europe.amazon.com/apps/authorize/confirm/{settings.SPAPI_APPLICATION_ID}"

    staff_client.post(reverse("sellerauth:login_uri"), _params(eu_uri, selling_partner_id="A2BOTHSELLER09"))

    assert AuthorizationRequest.objects.get().authorization == europe


def test_a_seller_in_two_regions_and_an_unclear_host_is_asked_to_choose(staff_client, settings):
    authorization_create(seller="A2BOTHSELLER09", store_name="Both Ways")
    authorization_create(seller="A2BOTHSELLER09", store_name="Both Ways", region="EU")
    uri = f"https://amazon.com/apps/authorize/confirm/{settings.SPAPI_APPLICATION_ID}"

    response = staff_client.post(reverse("sellerauth:login_uri"), _params(uri, selling_partner_id="A2BOTHSELLER09"))

    assert response.status_code == 409
    assert "does not say which one to renew" in html.unescape(response.content.decode())
    assert _nothing_written()


def test_a_seller_without_an_authorization_is_offered_to_connect_a_store(staff_client, confirm_uri):
    response = staff_client.get(
        reverse("sellerauth:login_uri"), _params(confirm_uri, selling_partner_id="A2NOBODY0000")
    )

    page = html.unescape(response.content.decode())
    assert response.status_code == 404
    assert "no authorization from seller A2NOBODY0000" in page
    assert "connect it with Connect store" in page
    assert f'href="{reverse("stores:home")}"' in page
    assert _nothing_written()


def test_the_sandboxs_own_seller_central_is_followed_over_http_only_in_development(staff_client, shared, settings):
    settings.AMAZON_SANDBOX, settings.DEBUG = True, True
    settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL = "http://127.0.0.1:8000/sandbox/sellercentral"
    uri = f"http://127.0.0.1:8000/sandbox/sellercentral/apps/authorize/confirm/{settings.SPAPI_APPLICATION_ID}"

    response = staff_client.post(reverse("sellerauth:login_uri"), _params(uri))

    assert response.status_code == 303
    assert response.url.startswith(uri + "?amazon_state=")
    settings.DEBUG = False
    assert staff_client.post(reverse("sellerauth:login_uri"), _params(uri)).status_code == 400


# The bad ways: refused with a page, nothing redirected, nothing written -----------------------------------

BAD_URIS = [
    "https://evil.example/apps/authorize/confirm/{app}",
    "https://sellercentral.amazon.com.evil.com/apps/authorize/confirm/{app}",
    "https://sellercentral.amazon.com%2e.evil.com/apps/authorize/confirm/{app}",
    "https://sellercentral%2eamazon%2ecom/apps/authorize/confirm/{app}",
    "https://evil.com\\@sellercentral.amazon.com/apps/authorize/confirm/{app}",
    "https://sellercentral.amazon.com\\.evil.com/apps/authorize/confirm/{app}",
    "https://evil.com\\sellercentral.amazon.com/apps/authorize/confirm/{app}",
    "https://user:pass@sellercentral.amazon.com/apps/authorize/confirm/{app}",
    "https://evil.com@sellercentral.amazon.com/apps/authorize/confirm/{app}",
    "https://sellercentral.amazon.com@evil.com/apps/authorize/confirm/{app}",
    "https://sellercentral.amazon.com:8443/apps/authorize/confirm/{app}",
    "https://sellercentral.amazon.com:443/apps/authorize/confirm/{app}",
    "http://sellercentral.amazon.com/apps/authorize/confirm/{app}",
    "HTTPS://sellercentral.amazon.com/apps/authorize/confirm/{app}",
    "//sellercentral.amazon.com/apps/authorize/confirm/{app}",
    "https:///sellercentral.amazon.com/apps/authorize/confirm/{app}",
    "javascript:alert(1)//sellercentral.amazon.com/apps/authorize/confirm/{app}",
    "https://sellercentral.amazon.com./apps/authorize/confirm/{app}",
    "https://xn--sellercentral-amazon-com.evil/apps/authorize/confirm/{app}",
    "https://sellercentral.amazon.com/apps/authorize/confirm/amzn1.sp.solution.someone-else",
    "https://sellercentral.amazon.com/apps/authorize/consent",
    "https://sellercentral.amazon.com/apps/authorize/confirm/{app}/../../../evil",
    "https://sellercentral.amazon.com/apps/authorize/confirm/{app}/",
    "https://sellercentral.amazon.com/apps/authorize/confirm/{app}#fragment",
    "https://sellercentral.amazon.com/apps/authorize/confirm/{app}?next=https://evil.example",
    "https://sellercentral.amazon.com/apps/authorize/confirm/{app}%23",
    "https://sellercentral.amazon.com/%61pps/authorize/confirm/{app}",
    "https://sellercentral.amazon.com/apps/authorize/confirm/{app}\t",
    "https://sellercentral.аmazon.com/apps/authorize/confirm/{app}",  # a Cyrillic "а"
    "/amazon/callback/",
]


@pytest.mark.parametrize("template", BAD_URIS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_callback_uri_that_is_not_seller_centrals_confirm_page_is_refused(
    staff_client, shared, settings, template, method
):
    uri = template.format(app=settings.SPAPI_APPLICATION_ID)

    response = getattr(staff_client, method)(reverse("sellerauth:login_uri"), _params(uri))

    assert response.status_code == 400
    assert "Location" not in response
    page = html.unescape(response.content.decode())
    assert "Renewal not started" in page
    assert "nothing was changed" in page
    assert _nothing_written()


def test_the_sandbox_origin_is_not_allowed_when_the_sandbox_is_off(staff_client, shared, settings):
    settings.AMAZON_SANDBOX = False
    settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL = "https://sandbox.example.com/sandbox/sellercentral"
    uri = f"https://sandbox.example.com/sandbox/sellercentral/apps/authorize/confirm/{settings.SPAPI_APPLICATION_ID}"

    assert staff_client.post(reverse("sellerauth:login_uri"), _params(uri)).status_code == 400


def test_the_sandbox_origin_needs_its_own_port_and_path(staff_client, shared, settings):
    settings.AMAZON_SANDBOX, settings.DEBUG = True, True
    settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL = "http://127.0.0.1:8000/sandbox/sellercentral"
    app = settings.SPAPI_APPLICATION_ID

    for uri in (
        f"http://127.0.0.1:8001/sandbox/sellercentral/apps/authorize/confirm/{app}",
        f"http://127.0.0.1:8000/apps/authorize/confirm/{app}",
        f"http://localhost:8000/sandbox/sellercentral/apps/authorize/confirm/{app}",
        f"http://sellercentral.amazon.com/apps/authorize/confirm/{app}",
    ):
        assert staff_client.post(reverse("sellerauth:login_uri"), _params(uri)).status_code == 400, uri
    assert _nothing_written()


def test_the_allowed_hosts_come_from_the_setting(staff_client, shared, settings):
    settings.AMAZON_CALLBACK_HOSTS = ["sellercentral.amazon.co.uk"]
    app = settings.SPAPI_APPLICATION_ID

    refused = staff_client.post(
        reverse("sellerauth:login_uri"), _params(f"https://sellercentral.amazon.com/apps/authorize/confirm/{app}")
    )
    allowed = staff_client.post(
        reverse("sellerauth:login_uri"), _params(f"https://sellercentral.amazon.co.uk/apps/authorize/confirm/{app}")
    )

    assert (refused.status_code, allowed.status_code) == (400, 303)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "amazon_state=x&selling_partner_id=A2NASELLER0001",
        "amazon_callback_uri={uri}&selling_partner_id=A2NASELLER0001",
        "amazon_callback_uri={uri}&amazon_state=x",
        "amazon_callback_uri={uri}&amazon_callback_uri={uri}&amazon_state=x&selling_partner_id=A2NASELLER0001",
        "amazon_callback_uri={uri}&amazon_state=x&amazon_state=y&selling_partner_id=A2NASELLER0001",
        "amazon_callback_uri={uri}&amazon_state=x&selling_partner_id=a2naseller0001",
        "amazon_callback_uri={uri}&amazon_state=x&selling_partner_id=" + "A" * 33,
        "amazon_callback_uri={uri}&amazon_state=" + "x" * 1025 + "&selling_partner_id=A2NASELLER0001",
        "amazon_callback_uri={uri}&amazon_state=%3Cscript%3E&selling_partner_id=A2NASELLER0001",
        "amazon_callback_uri={uri}&amazon_state=x&selling_partner_id=A2NASELLER0001&version=alpha",
        "amazon_callback_uri={uri}&amazon_state=x&selling_partner_id=A2NASELLER0001&version=beta&version=beta",
        "amazon_callback_uri=" + "a" * 2049 + "&amazon_state=x&selling_partner_id=A2NASELLER0001",
        "amazon_callback_uri={uri}&amazon_state=x&selling_partner_id=A2NASELLER0001"
        + "".join(f"&x{n}=1" for n in range(6)),
    ],
)
def test_missing_repeated_or_malformed_parameters_are_refused(staff_client, shared, confirm_uri, query):
    url = f"{reverse('sellerauth:login_uri')}?{query.format(uri=quote(confirm_uri, safe=''))}"

    response = staff_client.get(url)

    assert response.status_code == 400
    assert "not in the expected form" in response.content.decode()
    assert _nothing_written()


def test_the_post_checks_everything_again(staff_client, shared, confirm_uri):
    page = staff_client.get(reverse("sellerauth:login_uri"), _params(confirm_uri)).content.decode()
    assert "Continue to Seller Central" in page

    # The hidden fields edited in the browser before Continue.
    response = staff_client.post(
        reverse("sellerauth:login_uri"), _params("https://evil.example/apps/authorize/confirm/x")
    )

    assert response.status_code == 400
    assert _nothing_written()


def test_continuing_needs_the_csrf_token(auth_staff, shared, confirm_uri):
    client = Client(enforce_csrf_checks=True)
    client.force_login(auth_staff)

    assert client.post(reverse("sellerauth:login_uri"), _params(confirm_uri)).status_code == 403
    assert _nothing_written()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_who_may_use_the_log_in_uri(request, client, role, method, shared, confirm_uri):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))

    response = getattr(client, method)(reverse("sellerauth:login_uri"), _params(confirm_uri))

    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif role in MAY_RENEW:
        assert response.status_code == (200 if method == "get" else 303)
    else:
        assert response.status_code == 403
        assert "You are not allowed to do this" in response.content.decode()
        assert not AuthorizationRequest.objects.exists()
        denied = StoreEvent.objects.filter(kind=StoreEvent.Kind.DENIED)
        # A refused Continue is a refused renewal of the seller's stores; looking is not recorded.
        assert denied.count() == (2 if method == "post" else 0)
    assert SellerAuthorization.objects.get() == shared


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        ([], ["sellerauth.E030"]),
        (["https://sellercentral.amazon.com"], ["sellerauth.E031"]),
        (["sellercentral.amazon.com:443"], ["sellerauth.E031"]),
        (["*.amazon.com"], ["sellerauth.E031"]),
        (["SellerCentral.amazon.com"], ["sellerauth.E031"]),
        (["sellercentral.amazon.com."], ["sellerauth.E031"]),
        (["sellercentral.amazon.com", "amazon.com"], []),
    ],
)
def test_the_callback_hosts_setting_is_checked(settings, hosts, expected):
    settings.AMAZON_CALLBACK_HOSTS = hosts

    found = sorted(e.id for e in run_checks() if e.id.startswith("sellerauth.E03"))

    assert found == expected


def test_the_default_callback_hosts_are_seller_centrals_and_amazon_com(settings):
    hosts = set(settings.AMAZON_CALLBACK_HOSTS)

    assert {"sellercentral.amazon.com", "sellercentral-europe.amazon.com", "sellercentral.amazon.co.jp"} <= hosts
    assert "amazon.com" in hosts
    assert all(host.startswith(("sellercentral", "amazon.com")) for host in hosts)

"""The application registered with the sandbox: its own settings, and what the sandbox says when ours differ."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.http import QueryDict
from django.urls import reverse

from amazon_sandbox.app import registered_application
from amazon_sandbox.authorize import ConsentRequestError, consent_request_parse
from amazon_sandbox.checks import check_registered_application
from amazon_sandbox.models import AuthorizationCode
from sellerauth.models import SellerAuthorization
from tests.amazon_sandbox.flow import TIMEOUT, Sandbox, query, registration_change
from tests.factories import AmazonStoreFactory

ROOT = Path(__file__).resolve().parents[2]
REGISTERED = "https://asc.example.com/amazon/callback/"
ALSO_REGISTERED = "https://staging.asc.example.com/amazon/callback/"


def _parse(**params):
    query = QueryDict(mutable=True)
    query.update({"application_id": registered_application().application_id, "state": "s-1", **params})
    return consent_request_parse(query)


def _register(settings, **changes):
    registration_change(settings, **{"REDIRECT_URIS": [REGISTERED, ALSO_REGISTERED], "IS_DRAFT": False, **changes})


def test_without_a_redirect_uri_the_first_registered_one_is_used(settings):
    _register(settings)

    assert _parse().redirect_uri == REGISTERED


def test_any_registered_redirect_uri_is_accepted_as_given(settings):
    _register(settings)

    assert _parse(redirect_uri=ALSO_REGISTERED).redirect_uri == ALSO_REGISTERED


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://asc.example.com/amazon/callback",  # no trailing slash
        "https://ASC.example.com/amazon/callback/",
        "https://asc.example.com:443/amazon/callback/",
        "https://asc.example.com/amazon/callback/?next=/",
        "http://asc.example.com/amazon/callback/",
    ],
)
def test_a_redirect_uri_that_is_not_registered_exactly_is_md5101(settings, redirect_uri):
    _register(settings)

    with pytest.raises(ConsentRequestError) as error:
        _parse(redirect_uri=redirect_uri)

    assert error.value.code == "MD5101"


def test_the_sandbox_ignores_the_applications_redirect_uri_setting(settings):
    # A misconfigured application sends its own AMAZON_REDIRECT_URI; the sandbox checks its registration only.
    _register(settings)
    settings.AMAZON_REDIRECT_URI = "https://elsewhere.example/amazon/callback/"

    assert _parse(redirect_uri=REGISTERED).redirect_uri == REGISTERED
    with pytest.raises(ConsentRequestError) as error:
        _parse(redirect_uri=settings.AMAZON_REDIRECT_URI)
    assert error.value.code == "MD5101"


def test_the_application_id_and_draft_state_come_from_the_registration(settings):
    _register(settings, APPLICATION_ID="amzn1.sp.solution.registered-elsewhere", IS_DRAFT=True)
    settings.SPAPI_APPLICATION_ID = "amzn1.sp.solution.registered-elsewhere"

    with pytest.raises(ConsentRequestError) as draft:
        _parse()
    query = QueryDict(mutable=True)
    query.update({"application_id": "amzn1.sp.solution.sandbox-app", "state": "s-1", "version": "beta"})
    with pytest.raises(ConsentRequestError) as unknown:
        consent_request_parse(query)

    assert draft.value.code == "MD1000"
    assert unknown.value.code == "MD9000"
    assert _parse(version="beta").application_id == "amzn1.sp.solution.registered-elsewhere"


@pytest.mark.parametrize(
    "registration",
    [
        None,
        "amzn1.sp.solution.sandbox-app",
        {"APPLICATION_ID": "amzn1.sp.solution.x", "CLIENT_ID": "c", "CLIENT_SECRET": "s"},
        {"APPLICATION_ID": "amzn1.sp.solution.x", "CLIENT_ID": "c", "CLIENT_SECRET": "", "REDIRECT_URIS": [REGISTERED]},
        {"APPLICATION_ID": "amzn1.sp.solution.x", "CLIENT_ID": "c", "CLIENT_SECRET": "s", "REDIRECT_URIS": REGISTERED},
    ],
)
def test_an_unusable_registration_is_explained_not_guessed(settings, registration):
    settings.AMAZON_SANDBOX_APPLICATION = registration

    errors = check_registered_application(None)

    assert errors
    assert {error.id for error in errors} == {"amazon_sandbox.E001"}
    assert all("AMAZON_SANDBOX_APPLICATION" in error.msg for error in errors)
    with pytest.raises(ImproperlyConfigured):
        registered_application()


def test_the_projects_registration_passes_its_check():
    assert check_registered_application(None) == []


def _settings_of(**env) -> dict:
    """Return some settings as the settings module computes them from this environment alone."""
    code = (
        "import json, asc_project.settings as s; print(json.dumps({'app': s.AMAZON_SANDBOX_APPLICATION, "
        "'SPAPI_APPLICATION_ID': s.SPAPI_APPLICATION_ID, 'LWA_CLIENT_ID': s.LWA_CLIENT_ID, "
        "'LWA_CLIENT_SECRET': s.LWA_CLIENT_SECRET, 'AMAZON_REDIRECT_URI': s.AMAZON_REDIRECT_URI, "
        "'AMAZON_APP_IS_DRAFT': s.AMAZON_APP_IS_DRAFT}))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AMAZON_", "LWA_", "SPAPI_", "SITE_"))}
    environment |= {"ASC_ENV_FILE": os.devnull, "DEBUG": "true", **env}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_the_applications_defaults_are_the_sandbox_registration_and_its_own_values_win():
    copied = _settings_of(
        SITE_URL="http://127.0.0.1:8123",
        AMAZON_SANDBOX_APPLICATION_ID="amzn1.sp.solution.local-demo",
        AMAZON_SANDBOX_LWA_CLIENT_SECRET="local-demo-secret",
        AMAZON_SANDBOX_APP_IS_DRAFT="true",
    )
    own = _settings_of(AMAZON_REDIRECT_URI="https://asc.example.com/amazon/callback/", LWA_CLIENT_SECRET="mine")

    registered = copied["app"]
    assert registered["REDIRECT_URIS"] == ["http://127.0.0.1:8123/amazon/callback/"]
    assert registered["LOGIN_URI"] == "http://127.0.0.1:8123/amazon/login/"
    assert copied["SPAPI_APPLICATION_ID"] == registered["APPLICATION_ID"] == "amzn1.sp.solution.local-demo"
    assert copied["LWA_CLIENT_ID"] == registered["CLIENT_ID"]
    assert copied["LWA_CLIENT_SECRET"] == registered["CLIENT_SECRET"] == "local-demo-secret"
    assert copied["AMAZON_REDIRECT_URI"] == registered["REDIRECT_URIS"][0]
    assert copied["AMAZON_APP_IS_DRAFT"] is registered["IS_DRAFT"] is True
    assert own["app"]["REDIRECT_URIS"] == ["http://127.0.0.1:8000/amazon/callback/"]
    assert own["AMAZON_REDIRECT_URI"] == "https://asc.example.com/amazon/callback/"
    assert (own["LWA_CLIENT_SECRET"], own["app"]["CLIENT_SECRET"]) == ("mine", "sandbox-secret")


def test_without_the_sandbox_the_application_has_no_sandbox_defaults():
    real = _settings_of(AMAZON_SANDBOX="false")

    assert real["SPAPI_APPLICATION_ID"] == real["LWA_CLIENT_ID"] == real["LWA_CLIENT_SECRET"] == ""
    assert real["AMAZON_REDIRECT_URI"] == ""


# The application, misconfigured, against the sandbox over real HTTP.


def _consent_url(client, store) -> str:
    return client.post(reverse("sellerauth:connect", args=[store.pk])).url


def test_an_unregistered_redirect_uri_of_the_application_gets_md5101(manager_client, live_sandbox, settings):
    settings.AMAZON_REDIRECT_URI = f"{live_sandbox}/amazon/other-callback/"

    response = requests.get(_consent_url(manager_client, AmazonStoreFactory()), allow_redirects=False, timeout=TIMEOUT)

    assert response.status_code == 400
    assert "<strong>MD5101</strong>" in response.text
    assert not AuthorizationCode.objects.exists()


def test_a_wrong_application_id_of_the_application_is_unknown_to_the_sandbox(manager_client, live_sandbox, settings):
    settings.SPAPI_APPLICATION_ID = "amzn1.sp.solution.not-registered"

    response = requests.get(_consent_url(manager_client, AmazonStoreFactory()), allow_redirects=False, timeout=TIMEOUT)

    assert response.status_code == 400
    assert "<strong>MD9000</strong>" in response.text
    assert "No application is registered with this application ID." in response.text


def test_a_wrong_client_secret_of_the_application_is_invalid_client(manager_client, live_sandbox, settings):
    settings.LWA_CLIENT_SECRET = "not-the-registered-secret"
    consent = _consent_url(manager_client, AmazonStoreFactory(marketplace="US"))
    params = {name: values[0] for name, values in parse_qs(urlsplit(consent).query).items()}
    back = Sandbox(live_sandbox).authorize(requests.Session(), **params)

    response = manager_client.get(reverse("sellerauth:callback"), {name: values[0] for name, values in back.items()})

    assert "Amazon did not accept this application&#x27;s credentials" in manager_client.get(response.url).text
    assert not SellerAuthorization.objects.exists()
    # The sandbox refused the client before looking at the code, which therefore stays unspent.
    assert AuthorizationCode.objects.get().used_at is None


def _code_for(sandbox, browser, *, redirect_uri: str) -> str:
    """Consent with a redirect URI named; return the code it brings back."""
    if sandbox.get(browser, sandbox.consent_url(redirect_uri=redirect_uri)).headers["Location"].endswith("/signin"):
        sandbox.sign_in(browser)
    sandbox.post(browser, "/sandbox/sellercentral/apps/authorize/confirm", {"understand": "on", "next": "1"})
    done = sandbox.post(browser, "/sandbox/sellercentral/apps/authorize/almost-done", {})
    assert done.headers["Location"].startswith(redirect_uri + "?")
    return query(done.headers["Location"])["spapi_oauth_code"][0]


@pytest.mark.django_db(transaction=True)
def test_a_code_is_exchanged_only_with_the_redirect_uri_it_was_issued_for(sandbox, settings):
    # Both URIs are registered; the token request must repeat the one the consent request named, as LWA checks.
    second = f"{sandbox.url}/amazon/second-callback/"
    registration_change(settings, REDIRECT_URIS=[sandbox.redirect_uri, second])
    browser = requests.Session()
    first_code, second_code = (_code_for(sandbox, browser, redirect_uri=second) for _ in range(2))

    registered_but_other = sandbox.exchange(first_code)
    issued_for = sandbox.token(grant_type="authorization_code", code=second_code, redirect_uri=second)

    assert (registered_but_other.status_code, registered_but_other.json()["error"]) == (400, "invalid_grant")
    assert issued_for.status_code == 200

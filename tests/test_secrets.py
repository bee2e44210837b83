"""
Secrets never leak, shown with sentinel values.

A connect, a refresh, a refused refresh and callbacks that fail half-way (a bug after the code exchange, a fault
of the database while the token is written) run with a sentinel authorization code, refresh token, access token
and LWA client secret, with DEBUG on and off. Then every log record and every line the project's handlers wrote,
every error page (Django's technical page with DEBUG on), every e-mail (the admins' error reports, with their HTML
version), every page of the flow and every admin page of the models involved is searched for each sentinel, for
the state the application issued and for every ciphertext of the sentinel refresh token, raw and URL-encoded.
"""

import html
import io
import logging
from urllib.parse import parse_qs, quote, quote_plus, urlencode, urlsplit

import pytest
import responses
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.log import AdminEmailHandler

from sellerauth.models import AuthorizationRequest, ReminderDelivery, SellerAuthorization, StoreConnection
from sellerauth.services import connect, consent
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.factories import AmazonStoreFactory

CODE = "SENTINELcode-5qG8kX2vN7pL3rT9wY4zH6"
REFRESH_TOKEN = "Atzr|IwEBISENTINELrefresh-0c1d2e3f4a5b6c7d8e9f"
ACCESS_TOKEN = "Atza|IwEBISENTINELaccess-9f8e7d6c5b4a3f2e1d0c"
REFRESHED_ACCESS_TOKEN = "Atza|IwEBISENTINELrefreshed-1a2b3c4d5e6f7a8b"
CLIENT_SECRET = "amzn1.oa2-cs.v1.SENTINELclientsecret-7e6d5c4b3a29"

pytestmark = pytest.mark.django_db


class Exposure:
    """What a reader of logs, pages and e-mails may see (by place), and the secrets to look for in it."""

    def __init__(self):
        self.secrets = {
            "code": CODE,
            "refresh token": REFRESH_TOKEN,
            "access token": ACCESS_TOKEN,
            "refreshed access token": REFRESHED_ACCESS_TOKEN,
            "client secret": CLIENT_SECRET,
        }
        self.places: list[tuple[str, str]] = []

    def secret(self, name: str, value: str) -> None:
        self.secrets[name] = value

    def saw(self, place: str, text) -> None:
        self.places.append((place, text.decode(errors="replace") if isinstance(text, bytes) else str(text)))

    def response(self, place: str, response, *, status: int | None = None) -> None:
        assert status is None or response.status_code == status, f"{place}: {response.status_code}"
        self.saw(f"{place} (status {response.status_code})", response.content)
        self.saw(f"{place} (headers)", "\n".join(f"{k}: {v}" for k, v in response.headers.items()))

    def leaks(self) -> list[str]:
        """Return 'secret in place' for every secret found, in any of its spellings or by its distinctive tail."""
        found = []
        for name, value in self.secrets.items():
            forms = {value, quote(value, safe=""), quote_plus(value), html.escape(value), value[-20:]}
            found += [f"{name} in {place}" for place, text in self.places if any(form in text for form in forms)]
        return sorted(set(found))


@pytest.fixture
def exposure(settings, amazon_endpoints, monkeypatch):
    """Sentinel secrets in place; every ciphertext made of the sentinel refresh token is a secret too."""
    settings.LWA_CLIENT_SECRET = CLIENT_SECRET
    seen = Exposure()
    encrypt = consent.token_encrypt

    def encrypt_and_remember(plain):
        ciphertext = encrypt(plain)
        made = sum(name.startswith("ciphertext") for name in seen.secrets)
        seen.secret(f"ciphertext {made + 1} of the refresh token", ciphertext)
        return ciphertext

    monkeypatch.setattr(consent, "token_encrypt", encrypt_and_remember)
    cache.clear()
    return seen


@pytest.fixture
def log_lines(caplog):
    """Capture every record (root logger at DEBUG) and the text of every stream handler of the configuration."""
    caplog.set_level(logging.DEBUG)
    stream = io.StringIO()
    handlers = {
        handler
        for name in ("", "django", "django.request", "django.server", "sellerauth")
        for handler in logging.getLogger(name).handlers
        if type(handler) is logging.StreamHandler
    }
    assert handlers, "the configuration writes logs through stream handlers"
    previous = {handler: handler.setStream(stream) for handler in handlers}
    yield caplog, stream
    for handler, old in previous.items():
        handler.setStream(old)


@pytest.fixture
def admin_mail(settings):
    """Send the admins an error report with its HTML version for every failed request, as production may."""
    settings.ADMINS = ["ops@example.com"]
    handler = AdminEmailHandler(include_html=True)
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)


def _see_logs(seen: Exposure, caplog, stream) -> None:
    formatter = logging.Formatter()
    for record in caplog.records:
        seen.saw(f"log record of {record.name}", record.getMessage())
        if record.exc_info:
            seen.saw(f"exception logged by {record.name}", formatter.formatException(record.exc_info))
        if record.stack_info:
            seen.saw(f"stack logged by {record.name}", record.stack_info)
    seen.saw("log handler output", stream.getvalue())


def _see_mail(seen: Exposure) -> None:
    for message in mail.outbox:
        seen.saw(f"e-mail “{message.subject}” (subject)", message.subject)
        seen.saw(f"e-mail “{message.subject}” (text)", message.body)
        for content, mimetype in getattr(message, "alternatives", []):
            seen.saw(f"e-mail “{message.subject}” ({mimetype})", content)


def _start(browser, store, seen: Exposure, label: str) -> str:
    """POST Connect store; return the state sent to Amazon (a secret from now on)."""
    response = browser.post(reverse("sellerauth:connect", args=[store.pk]))
    assert response.status_code == 303
    state = parse_qs(urlsplit(response.url).query)["state"][0]
    seen.secret(f"state of the {label}", state)
    return state


def _callback(browser, state: str, **headers):
    params = {"state": state, "spapi_oauth_code": CODE, "selling_partner_id": amazon.SELLER}
    return browser.get(reverse("sellerauth:callback"), params, **headers)


def _amazon_answers(amazon_http, *, access_token: str = ACCESS_TOKEN) -> None:
    amazon_http.upsert(
        responses.POST,
        amazon.lwa_url(),
        json=amazon.token_response(access_token=access_token, refresh_token=REFRESH_TOKEN),
    )
    amazon_http.upsert(responses.GET, amazon.participations_url(), json=amazon.participations("US", "CA"))


def _connect(browser, store, seen: Exposure) -> None:
    response = _callback(browser, _start(browser, store, seen, "connect"))
    seen.response("callback", response)
    seen.response("result page", browser.get(response.url), status=200)


def _refresh(browser, store, seen: Exposure, label: str) -> None:
    """Verify the store with an empty access-token cache: a refresh grant, then the Sellers API."""
    cache.clear()
    response = browser.post(reverse("sellerauth:verify", args=[store.pk]))
    seen.response(f"{label} verify", response)
    seen.response(f"dashboard after the {label}", browser.get(response.url), status=200)


def _explode_after_the_exchange(**kwargs):
    # Stands for any bug after the code was exchanged: the frames hold the code, the tokens and the state.
    raise RuntimeError("the service failed after the code exchange")


def _explode_while_the_token_is_written(execute, sql, params, many, context):
    # Stands for a fault of the database driver while it holds the statement that stores the new ciphertext.
    if sql.lstrip().upper().startswith("UPDATE") and "sellerauth_sellerauthorization" in sql:
        raise RuntimeError("the database connection broke")
    return execute(sql, params, many, context)


def _failing_callbacks(browser, store, seen: Exposure, monkeypatch) -> None:
    for accept in ("text/html", "text/plain"):
        with monkeypatch.context() as patch:
            patch.setattr(connect, "consent_accept", _explode_after_the_exchange)
            response = _callback(
                browser, _start(browser, store, seen, f"failing callback ({accept})"), HTTP_ACCEPT=accept
            )
        assert response.status_code == 500
        seen.response(f"error page ({accept}) of a callback failing after the exchange", response)
    with connection.execute_wrapper(_explode_while_the_token_is_written):
        response = _callback(browser, _start(browser, store, seen, "callback failing in the database"))
    assert response.status_code == 500
    seen.response("error page of a callback failing while the token is written", response)


def _pages(browser, stores, seen: Exposure) -> None:
    seen.response("home page", browser.get(reverse("stores:home")), status=200)
    seen.response("authorizations page", browser.get(reverse("sellerauth:authorizations")), status=200)
    for store in stores:
        seen.response(f"dashboard of {store.name}", browser.get(store.get_absolute_url()), status=200)
        connect_page = browser.get(reverse("sellerauth:connect_confirm", args=[store.pk]))
        seen.response(f"connect page of {store.name}", connect_page, status=200)


def _admin_pages(superuser, seen: Exposure) -> None:
    admin = Client()
    admin.force_login(superuser)
    authorization = SellerAuthorization.objects.get()
    if not ReminderDelivery.objects.exists():
        ReminderDelivery.objects.create(
            authorization=authorization, kind="reminder", expires_on=timezone.localdate(), offset_days=7
        )
    for model in (SellerAuthorization, AuthorizationRequest, ReminderDelivery, StoreConnection, StoreEvent):
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        seen.response(f"admin list of {model.__name__}", admin.get(reverse(f"{name}_changelist")), status=200)
        for obj in model.objects.all():
            form = admin.get(reverse(f"{name}_change", args=[obj.pk]))
            seen.response(f"admin form of {model.__name__} {obj.pk}", form, status=200)


@pytest.mark.parametrize("debug", [False, True], ids=["DEBUG off", "DEBUG on"])
def test_no_sentinel_secret_appears_in_logs_error_reports_pages_or_admin(
    debug, settings, exposure, log_lines, admin_mail, manager, superuser, monkeypatch
):
    settings.DEBUG = debug
    browser = Client(raise_request_exception=False)
    browser.force_login(manager)
    us = AmazonStoreFactory(name="Sentinel Store US", marketplace="US", contact_email="contact@example.com")
    ca = AmazonStoreFactory(name="Sentinel Store CA", marketplace="CA", contact_email="contact@example.com")

    with responses.RequestsMock(assert_all_requests_are_fired=False) as amazon_http:
        _amazon_answers(amazon_http)
        _connect(browser, us, exposure)
        _amazon_answers(amazon_http, access_token=REFRESHED_ACCESS_TOKEN)
        _refresh(browser, us, exposure, "refresh")
        _failing_callbacks(browser, ca, exposure, monkeypatch)
        amazon_http.upsert(responses.POST, amazon.lwa_url(), status=400, json=amazon.lwa_error("invalid_grant"))
        _refresh(browser, us, exposure, "refused refresh")
    _pages(browser, [us, ca], exposure)
    _admin_pages(superuser, exposure)
    _see_mail(exposure)
    _see_logs(exposure, *log_lines)

    # The flow ran as intended: the connect stored the token, each failure reached the admins, the loss was told.
    assert SellerAuthorization.objects.get().refresh_token_encrypted.startswith("gAAAAA")
    assert sum("ERROR" in message.subject for message in mail.outbox) >= 3
    assert any("contact@example.com" in message.to for message in mail.outbox)
    reports = [text for place, text in exposure.places if place.startswith(("e-mail", "error page"))]
    assert sum("the service failed after the code exchange" in text for text in reports) >= (4 if debug else 2)
    assert any("the database connection broke" in text for text in reports)
    assert len([name for name in exposure.secrets if name.startswith("ciphertext")]) >= 2
    leaks = exposure.leaks()
    assert not leaks, "\n".join(leaks)


def _explode_in_the_sandbox(**kwargs):
    raise RuntimeError("the sandbox failed while it held the grant")


@pytest.mark.parametrize("grant", ["authorization_code", "refresh_token"])
@pytest.mark.parametrize("debug", [False, True], ids=["DEBUG off", "DEBUG on"])
def test_the_sandbox_token_endpoint_failing_leaks_nothing(debug, grant, settings, log_lines, admin_mail, monkeypatch):
    """The sandbox plays Amazon inside this process: its failures reach the same logs and reports."""
    from amazon_sandbox.views import lwa

    settings.DEBUG = debug
    settings.AMAZON_SANDBOX_APPLICATION = {**settings.AMAZON_SANDBOX_APPLICATION, "CLIENT_SECRET": CLIENT_SECRET}
    monkeypatch.setattr(lwa, "authorization_code_exchange", _explode_in_the_sandbox)
    monkeypatch.setattr(lwa, "access_token_refresh", _explode_in_the_sandbox)
    seen = Exposure()
    body = {
        "grant_type": grant,
        "code": CODE,
        "refresh_token": REFRESH_TOKEN,
        "redirect_uri": settings.AMAZON_REDIRECT_URI,
        "client_id": settings.AMAZON_SANDBOX_APPLICATION["CLIENT_ID"],
        "client_secret": CLIENT_SECRET,
    }
    for accept in ("text/html", "text/plain"):
        response = Client(raise_request_exception=False).post(
            reverse("amazon_sandbox:lwa_token"),
            urlencode(body),
            content_type="application/x-www-form-urlencoded",
            HTTP_ACCEPT=accept,
        )
        assert response.status_code == 500
        seen.response(f"error page ({accept})", response)
    _see_mail(seen)
    _see_logs(seen, *log_lines)

    assert len(mail.outbox) >= 2
    leaks = seen.leaks()
    assert not leaks, "\n".join(leaks)

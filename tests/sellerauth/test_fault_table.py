"""
Amazon's faults, one table: each fault on the code exchange, the refresh and the Sellers API call, with the calls
made, the sentence the user reads and what the database holds afterwards.

A connect here is the second store of a seller already connected (so a stored token is there to be kept) or the
first store of a new seller (so nothing may be created); a refresh is the Verify button of the Current
Authorizations page, which refreshes the access token as the scheduled verification does. Every fault lasts for
every call it meets; the retried ones also get a run where Amazon recovers after the first call.
"""

import html
from dataclasses import dataclass

import pytest
import requests
import responses
from django.core import mail
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from sellerauth.models import (
    AuthorizationRequest,
    AuthorizationState,
    ReminderDelivery,
    SellerAuthorization,
    StoreConnection,
)
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.factories import AmazonStoreFactory
from tests.sellerauth.authorizations import US, authorization_create, store_link
from tests.sellerauth.conftest import callback

pytestmark = pytest.mark.django_db

NEW_SELLER = "A2NEWSELLER0002"

# What the user reads, word for word, for each class of failure.
UNAVAILABLE = "Amazon is not answering properly right now. Nothing was saved; try again in a few minutes."
THROTTLED = "Amazon allows this check only about once a minute per seller. Nothing was saved; try again later."
CODE_REFUSED = (
    "Amazon did not accept the authorization: it expired before it was completed (codes last five minutes) or was "
    "already used. Start the connection again and complete it without pausing."
)
LOST = (
    "Amazon no longer accepts this store's authorization (it was removed in Seller Central or has expired). "
    "Connect the store again."
)
CREDENTIALS = (
    "Amazon did not accept this application's credentials. Ask your administrator to check the Login with Amazon "
    "client ID and secret; nothing was changed on your store."
)
NOT_SAVED = (
    "This application could not save Amazon's answer, so nothing was changed. Try again in a moment; if it happens "
    "again, ask your administrator."
)

BAD_GATEWAY = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
QUOTA_EXCEEDED = {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota.", "details": ""}]}
INTERNAL = {"errors": [{"code": "InternalFailure", "message": "We encountered an internal error.", "details": ""}]}


def _both(**answer) -> dict:
    return {"lwa": answer, "spapi": answer}


# How Amazon misbehaves, as LWA's token endpoint ("lwa") and the Sellers API ("spapi") would show it.
FAULTS = {
    "500": {
        "lwa": {"status": 500, "json": {"error": "server_error", "error_description": "Internal error"}},
        "spapi": {"status": 500, "json": INTERNAL},
    },
    "502": _both(status=502, body=BAD_GATEWAY, content_type="text/html"),
    "503": _both(status=503, body="Service Unavailable", content_type="text/plain"),
    "504": _both(status=504, body="<html><body>Gateway Timeout</body></html>", content_type="text/html"),
    "429 with Retry-After": {
        "lwa": {"status": 429, "json": amazon.lwa_error("temporarily_unavailable"), "headers": {"Retry-After": "1"}},
        "spapi": {"status": 429, "json": QUOTA_EXCEEDED, "headers": {"Retry-After": "1"}},
    },
    "429 without Retry-After": {
        "lwa": {"status": 429, "json": amazon.lwa_error("temporarily_unavailable")},
        "spapi": {"status": 429, "json": QUOTA_EXCEEDED},
    },
    "connect timeout": _both(body=requests.ConnectTimeout("connect timed out")),
    "read timeout": _both(body=requests.ReadTimeout("read timed out")),
    "connection refused": _both(body=requests.ConnectionError("[Errno 111] Connection refused")),
    "HTML body": _both(status=200, body="<html><body>Sign in</body></html>", content_type="text/html"),
    "truncated JSON": {
        "lwa": {
            "status": 200,
            "body": '{"access_token": "Atza|IwEB", "refresh_tok',
            "content_type": "application/json",
        },
        "spapi": {
            "status": 200,
            "body": '{"payload": [{"marketplace": {"id": "ATVP',
            "content_type": "application/json",
        },
    },
    # The Sellers API's equivalent: JSON without its payload.
    "JSON without tokens": {
        "lwa": {"status": 200, "json": {"token_type": "bearer", "expires_in": 3600}},
        "spapi": {"status": 200, "json": {"errors": []}},
    },
    "oversize tokens": {
        "lwa": {
            "status": 200,
            "json": amazon.token_response(access_token="Atza|" + "a" * 2044, refresh_token="Atzr|" + "r" * 2044),
        },
    },
    "invalid_grant": {"lwa": {"status": 400, "json": amazon.lwa_error("invalid_grant", "The code has expired")}},
    "invalid_client": {
        "lwa": {"status": 401, "json": amazon.lwa_error("invalid_client", "Client authentication failed")}
    },
}


@dataclass(frozen=True)
class Row:
    fault: str
    call: str  # exchange, refresh or sellers
    calls: int  # how many times the failing endpoint was called
    message: str
    code: str  # the error code recorded in the store's activity log


# An exchange is never retried (a code works once). A refresh retries connection errors, 429 and 5xx, four calls
# in all; so does the Sellers API, except a 429 without Retry-After (its usage plan refills in about a minute).
TABLE = [
    Row("500", "exchange", 1, UNAVAILABLE, "lwa_http_500"),
    Row("500", "refresh", 4, UNAVAILABLE, "lwa_http_500"),
    Row("500", "sellers", 4, UNAVAILABLE, "spapi_http_500"),
    Row("502", "exchange", 1, UNAVAILABLE, "lwa_http_502"),
    Row("502", "refresh", 4, UNAVAILABLE, "lwa_http_502"),
    Row("502", "sellers", 4, UNAVAILABLE, "spapi_http_502"),
    Row("503", "exchange", 1, UNAVAILABLE, "lwa_http_503"),
    Row("503", "refresh", 4, UNAVAILABLE, "lwa_http_503"),
    Row("503", "sellers", 4, UNAVAILABLE, "spapi_http_503"),
    Row("504", "exchange", 1, UNAVAILABLE, "lwa_http_504"),
    Row("504", "refresh", 4, UNAVAILABLE, "lwa_http_504"),
    Row("504", "sellers", 4, UNAVAILABLE, "spapi_http_504"),
    Row("429 with Retry-After", "exchange", 1, UNAVAILABLE, "lwa_http_429"),
    Row("429 with Retry-After", "refresh", 4, UNAVAILABLE, "lwa_http_429"),
    Row("429 with Retry-After", "sellers", 4, THROTTLED, "spapi_http_429"),
    Row("429 without Retry-After", "exchange", 1, UNAVAILABLE, "lwa_http_429"),
    Row("429 without Retry-After", "refresh", 4, UNAVAILABLE, "lwa_http_429"),
    Row("429 without Retry-After", "sellers", 1, THROTTLED, "spapi_http_429"),
    Row("connect timeout", "exchange", 1, UNAVAILABLE, "lwa_unreachable"),
    Row("connect timeout", "refresh", 4, UNAVAILABLE, "amazon_unreachable"),
    Row("connect timeout", "sellers", 4, UNAVAILABLE, "amazon_unreachable"),
    Row("read timeout", "exchange", 1, UNAVAILABLE, "lwa_unreachable"),
    Row("read timeout", "refresh", 4, UNAVAILABLE, "amazon_unreachable"),
    Row("read timeout", "sellers", 4, UNAVAILABLE, "amazon_unreachable"),
    Row("connection refused", "exchange", 1, UNAVAILABLE, "lwa_unreachable"),
    Row("connection refused", "refresh", 4, UNAVAILABLE, "amazon_unreachable"),
    Row("connection refused", "sellers", 4, UNAVAILABLE, "amazon_unreachable"),
    Row("HTML body", "exchange", 1, UNAVAILABLE, "response_not_json"),
    Row("HTML body", "refresh", 1, UNAVAILABLE, "response_not_json"),
    Row("HTML body", "sellers", 1, UNAVAILABLE, "response_not_json"),
    Row("truncated JSON", "exchange", 1, UNAVAILABLE, "response_not_json"),
    Row("truncated JSON", "refresh", 1, UNAVAILABLE, "response_not_json"),
    Row("truncated JSON", "sellers", 1, UNAVAILABLE, "response_not_json"),
    Row("JSON without tokens", "exchange", 1, UNAVAILABLE, "token_response_invalid"),
    Row("JSON without tokens", "refresh", 1, UNAVAILABLE, "token_response_invalid"),
    Row("JSON without tokens", "sellers", 1, UNAVAILABLE, "spapi_response_invalid"),
    Row("oversize tokens", "exchange", 1, UNAVAILABLE, "token_response_invalid"),
    Row("oversize tokens", "refresh", 1, UNAVAILABLE, "token_response_invalid"),
    Row("invalid_grant", "exchange", 1, CODE_REFUSED, "invalid_grant"),
    Row("invalid_grant", "refresh", 1, LOST, "invalid_grant"),
    Row("invalid_client", "exchange", 1, CREDENTIALS, "invalid_client"),
    Row("invalid_client", "refresh", 1, CREDENTIALS, "invalid_client"),
]
CONNECT_ROWS = [row for row in TABLE if row.call in ("exchange", "sellers")]
REFRESH_ROWS = [row for row in TABLE if row.call == "refresh"]
RETRIED = [row for row in TABLE if row.call in ("refresh", "sellers") and row.calls > 1]


def _id(row: Row) -> str:
    return f"{row.fault} on {row.call}"


def test_the_table_covers_every_fault_on_every_call_it_applies_to():
    covered = {(row.fault, row.call) for row in TABLE}
    expected = {(fault, "exchange") for fault in FAULTS} | {(fault, "refresh") for fault in FAULTS}
    expected |= {(fault, "sellers") for fault, answers in FAULTS.items() if "spapi" in answers}
    assert covered == expected
    assert len(TABLE) == len(covered)


@pytest.fixture
def known(db):
    """A seller connected through its US store, with a stored token; its Canadian store is not connected yet."""
    authorization = authorization_create(seller=amazon.SELLER, store_name="Northwind Outfitters", marketplace_ids=[US])
    us = store_link(authorization, name="Northwind US", marketplace="US")
    ca = AmazonStoreFactory(name="Northwind CA", marketplace="CA")
    return authorization, us, ca


def _snapshot() -> dict:
    """Return the rows a fault may touch, read from the database."""
    return {
        "authorizations": list(
            SellerAuthorization.objects.order_by("pk").values(
                "selling_partner_id",
                "region",
                "state",
                "refresh_token_encrypted",
                "granted_at",
                "expires_at",
                "seller_store_name",
                "marketplace_ids",
                "revoked_at",
                "last_verified_at",
                "last_verify_error",
                "verify_after",
            )
        ),
        "connections": list(StoreConnection.objects.order_by("store_id").values_list("store_id", "authorization_id")),
        "attempts": [
            at is not None for at in AuthorizationRequest.objects.order_by("pk").values_list("consumed_at", flat=True)
        ],
        "events": sorted(
            (event.store_id, event.kind, event.details.get("code") or event.details.get("reason") or "")
            for event in StoreEvent.objects.all()
        ),
        "deliveries": list(ReminderDelivery.objects.values_list("authorization_id", "kind")),
    }


def _register(amazon_http, fault: str, service: str, *, then_ok: bool = False) -> None:
    if service == "lwa":
        ok = {"json": amazon.token_response()}
        url, method = amazon.lwa_url(), responses.POST
    else:
        ok = {"json": amazon.participations("US", "CA")}
        url, method = amazon.participations_url(), responses.GET
    amazon_http.add(method, url, **FAULTS[fault][service])
    if then_ok:
        amazon_http.add(method, url, **ok)


def _ok(amazon_http, service: str) -> None:
    if service == "lwa":
        amazon_http.add(responses.POST, amazon.lwa_url(), json=amazon.token_response())
    else:
        amazon_http.add(responses.GET, amazon.participations_url(), json=amazon.participations("US", "CA"))


def _calls(amazon_http) -> dict[str, int]:
    lwa = sum(call.request.url == amazon.lwa_url() for call in amazon_http.calls)
    return {"lwa": lwa, "spapi": len(amazon_http.calls) - lwa}


def _page(client, response) -> str:
    assert response.status_code in (302, 303)
    page = client.get(response.url)
    assert page.status_code == 200
    return html.unescape(page.content.decode())


@pytest.mark.parametrize("seller", ["known seller", "new seller"])
@pytest.mark.parametrize("row", CONNECT_ROWS, ids=_id)
def test_a_fault_during_a_connect(row, seller, known, manager_client, start_connect, amazon_http, no_sleep):
    _authorization, _us, ca = known
    failing, working = ("lwa", "spapi") if row.call == "exchange" else ("spapi", "lwa")
    _register(amazon_http, row.fault, failing)
    _ok(amazon_http, working)
    state = start_connect(ca)
    before = _snapshot()

    response = callback(
        manager_client,
        state=state,
        spapi_oauth_code=amazon.CODE,
        selling_partner_id=amazon.SELLER if seller == "known seller" else NEW_SELLER,
    )

    assert response.status_code == 303
    page = _page(manager_client, response)
    assert row.message in page
    assert _calls(amazon_http) == {failing: row.calls, working: 1 if row.call == "sellers" else 0}
    if row.fault == "429 with Retry-After" and row.calls > 1:
        assert no_sleep == [1.0] * (row.calls - 1)
    # Only the attempt is used up, and the store's log says why; every token, date and link is as it was.
    expected = before | {
        "attempts": [*before["attempts"][:-1], True],
        "events": sorted([*before["events"], (ca.pk, StoreEvent.Kind.CONNECT_FAILED, row.code)]),
    }
    assert _snapshot() == expected


@pytest.mark.parametrize("row", REFRESH_ROWS, ids=_id)
def test_a_fault_during_a_refresh(row, known, manager_client, amazon_http, no_sleep):
    authorization, us, _ca = known
    _register(amazon_http, row.fault, "lwa")
    _ok(amazon_http, "spapi")
    before = _snapshot()

    response = manager_client.post(reverse("sellerauth:authorization_verify", args=[authorization.pk]))

    page = _page(manager_client, response)
    assert row.message in page
    assert _calls(amazon_http) == {"lwa": row.calls, "spapi": 0}
    if row.fault == "429 with Retry-After":
        assert no_sleep == [1.0] * (row.calls - 1)
    after = _snapshot()
    [was], [now] = before["authorizations"], after["authorizations"]
    lost = row.fault == "invalid_grant"
    # The token and its year stay; only the verification's outcome (and, when Amazon refused the grant, the state).
    kept = {"refresh_token_encrypted", "granted_at", "expires_at", "seller_store_name", "marketplace_ids"}
    assert {key: now[key] for key in kept} == {key: was[key] for key in kept}
    assert now["state"] == (AuthorizationState.NEEDS_REAUTHORIZATION if lost else AuthorizationState.ACTIVE)
    assert now["last_verify_error"] == row.code
    assert (now["verify_after"] is None) if lost else (now["verify_after"] > timezone.now())
    new_events = [(us.pk, StoreEvent.Kind.VERIFIED, row.code)]
    if lost:
        new_events.append((us.pk, StoreEvent.Kind.AUTHORIZATION_LOST, row.code))
    assert after["events"] == sorted([*before["events"], *new_events])
    assert after["connections"] == before["connections"]
    assert after["deliveries"] == before["deliveries"] + ([(authorization.pk, "lost")] if lost else [])
    assert len(mail.outbox) == (1 if lost else 0)


@pytest.mark.parametrize("row", RETRIED, ids=_id)
def test_a_retried_fault_that_clears_after_one_call_costs_one_more_call(
    row, known, manager_client, start_connect, amazon_http, no_sleep
):
    authorization, _us, ca = known
    if row.call == "refresh":
        _register(amazon_http, row.fault, "lwa", then_ok=True)
        _ok(amazon_http, "spapi")
        response = manager_client.post(reverse("sellerauth:authorization_verify", args=[authorization.pk]))
        expected_page, expected_calls = "Amazon confirmed the authorization of seller", {"lwa": 2, "spapi": 1}
    else:
        _ok(amazon_http, "lwa")
        _register(amazon_http, row.fault, "spapi", then_ok=True)
        state = start_connect(ca)
        response = callback(manager_client, state=state, spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER)
        expected_page, expected_calls = "is connected to Amazon seller", {"lwa": 1, "spapi": 2}

    assert expected_page in _page(manager_client, response)
    assert _calls(amazon_http) == expected_calls
    assert len(no_sleep) == 1
    authorization.refresh_from_db()
    assert authorization.state == AuthorizationState.ACTIVE
    assert authorization.last_verify_error == ""


# A database error in the middle of a connect ------------------------------------------------------------------


@pytest.fixture
def database_fails_once(monkeypatch):
    """Make the write of the store's link fail once, as a lost connection or a lock timeout would."""
    manager = StoreConnection.objects
    original = manager.update_or_create
    failures = []

    def update_or_create(*args, **kwargs):
        if not failures:
            failures.append(kwargs)
            raise DatabaseError("could not write: connection lost")
        return original(*args, **kwargs)

    monkeypatch.setattr(manager, "update_or_create", update_or_create)
    return failures


@pytest.mark.parametrize("seller", ["known seller", "new seller"])
def test_a_database_error_in_the_middle_of_a_connect_leaves_nothing_half_written(
    seller, known, manager_client, start_connect, amazon_ok, database_fails_once, caplog
):
    _authorization, _us, ca = known
    state = start_connect(ca)
    before = _snapshot()

    response = callback(
        manager_client,
        state=state,
        spapi_oauth_code=amazon.CODE,
        selling_partner_id=amazon.SELLER if seller == "known seller" else NEW_SELLER,
    )

    assert response.status_code == 303
    assert NOT_SAVED in _page(manager_client, response)
    assert database_fails_once, "the write of the link was reached, after the token was put on the authorization"
    assert _calls(amazon_ok) == {"lwa": 1, "spapi": 1}
    # No authorization for a new seller, the known seller's token and dates as they were, no link; the state used.
    expected = before | {
        "attempts": [*before["attempts"][:-1], True],
        "events": sorted([*before["events"], (ca.pk, StoreEvent.Kind.CONNECT_FAILED, "database_error")]),
    }
    assert _snapshot() == expected
    assert "could not write: connection lost" in caplog.text  # the operator sees what the database said

    # The next attempt, with a fresh consent, works: nothing was left locked or half-done.
    response = callback(
        manager_client, state=start_connect(ca), spapi_oauth_code=amazon.CODE, selling_partner_id=amazon.SELLER
    )
    assert "is connected to Amazon seller" in _page(manager_client, response)
    assert StoreConnection.objects.filter(store=ca).exists()

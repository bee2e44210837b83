"""Verifying authorizations: the scheduled task and the Verify button; Amazon mocked, then the live sandbox."""

import logging
from datetime import timedelta
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sellerauth import access_tokens
from sellerauth.models import AuthorizationState, DeliveryStatus, ReminderDelivery, SellerAuthorization
from sellerauth.tasks import verify_authorization
from sellerauth.verification import authorization_verify
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.sellerauth.authorizations import CA, US, authorization_create, store_link

REQUEST_ID = "7b1c2a90-58d4-4d1e-9c0f-0f3e2d1a9b77"


@pytest.fixture
def authorization(db):
    authorization = authorization_create(seller=amazon.SELLER, store_name="Northwind Outfitters", marketplace_ids=[US])
    store_link(authorization, name="Amazon Store USA", marketplace="US")
    store_link(authorization, name="Amazon Store Canada", marketplace="CA")
    return authorization


def _refresh_ok(amazon_http):
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(refresh_token=None))


def _verified_events():
    return StoreEvent.objects.filter(kind=StoreEvent.Kind.VERIFIED).order_by("store__name")


def test_a_verification_records_the_marketplaces_and_plans_the_next_one(authorization, amazon_http, settings):
    settings.ASC_VERIFY_INTERVAL_HOURS = 24
    _refresh_ok(amazon_http)
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", "CA"))

    result = authorization_verify(authorization=authorization)

    authorization.refresh_from_db()
    assert result.outcome == "ok"
    assert sorted(authorization.marketplace_ids) == sorted([US, CA])
    assert authorization.last_verified_at is not None
    assert authorization.verify_after - authorization.last_verified_at == timedelta(hours=24)
    assert authorization.last_verify_error == ""
    assert [event.details["outcome"] for event in _verified_events()] == ["ok", "ok"]


def test_a_store_name_changed_on_amazon_is_recorded_on_every_store_never_silently(authorization, amazon_http, caplog):
    _refresh_ok(amazon_http)
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", store_name="Northwind Outdoor"))

    with caplog.at_level(logging.WARNING, logger="sellerauth.verification"):
        result = authorization_verify(authorization=authorization)

    authorization.refresh_from_db()
    assert result.renamed
    assert authorization.seller_store_name == "Northwind Outdoor"
    renamed = [event.details["seller_renamed"] for event in _verified_events()]
    assert renamed == [{"from": "Northwind Outfitters", "to": "Northwind Outdoor"}] * 2
    assert f"Seller {amazon.SELLER} renamed its store on Amazon" in caplog.text


def test_an_answer_without_a_store_name_keeps_the_known_one(authorization, amazon_http):
    _refresh_ok(amazon_http)
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", store_name=""))

    result = authorization_verify(authorization=authorization)

    authorization.refresh_from_db()
    assert (result.outcome, result.renamed) == ("ok", False)
    assert authorization.seller_store_name == "Northwind Outfitters"


def test_a_throttled_seller_is_tried_again_after_the_bucket_refills_never_lost(
    authorization, amazon_http, no_sleep, caplog
):
    _refresh_ok(amazon_http)
    amazon_http.get(
        amazon.participations_url(),
        status=429,
        headers={"x-amzn-RequestId": REQUEST_ID},
        json={"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource."}]},
    )
    before = timezone.now()

    with caplog.at_level(logging.WARNING):
        result = authorization_verify(authorization=authorization)

    authorization.refresh_from_db()
    assert result.outcome == "retry"
    assert authorization.state == AuthorizationState.ACTIVE
    assert authorization.last_verify_error == "spapi_http_429"
    # One call, no wait in process: the usage plan gives one request a minute (0.016/s), so the next waits 63 s.
    assert len([call for call in amazon_http.calls if "marketplaceParticipations" in call.request.url]) == 1
    assert no_sleep == []
    assert timedelta(seconds=62) <= authorization.verify_after - before <= timedelta(seconds=65)
    assert {event.details["amazon_request_id"] for event in _verified_events()} == {REQUEST_ID}
    assert {event.details["outcome"] for event in _verified_events()} == {"failed"}
    assert f"[Amazon request {REQUEST_ID}]" in caplog.text
    assert not StoreEvent.objects.filter(kind=StoreEvent.Kind.AUTHORIZATION_LOST).exists()


def test_a_retry_after_on_a_throttled_answer_sets_the_next_attempt(authorization, amazon_http):
    _refresh_ok(amazon_http)
    amazon_http.get(amazon.participations_url(), status=429, headers={"Retry-After": "300"}, json={"errors": []})
    before = timezone.now()

    authorization_verify(authorization=authorization)

    authorization.refresh_from_db()
    assert timedelta(seconds=299) <= authorization.verify_after - before <= timedelta(seconds=302)


def test_server_errors_back_off_doubling_and_never_mark_anything_lost(authorization, amazon_http, no_sleep):
    amazon_http.post(amazon.lwa_url(), status=503, body="")  # every refresh attempt: four each time
    waits = []
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(9):
            authorization.refresh_from_db()
            authorization_verify(authorization=authorization)
            authorization.refresh_from_db()
            waits.append(authorization.verify_after - timezone.now())
            traveller.move_to(authorization.verify_after)

    minutes = [wait / timedelta(minutes=1) for wait in waits]
    assert minutes == [15, 30, 60, 120, 240, 480, 960, 1440, 1440]  # doubling, capped at a day
    assert authorization.state == AuthorizationState.ACTIVE
    assert authorization.last_verify_error == "lwa_http_503"


def test_invalid_grant_marks_the_authorization_lost_and_e_mails_its_contacts_once(
    authorization, amazon_http, mailoutbox
):
    amazon_http.post(amazon.lwa_url(), status=400, json=amazon.lwa_error("invalid_grant") | {"request_id": REQUEST_ID})

    first = authorization_verify(authorization=authorization)
    again = authorization_verify(authorization=authorization)

    authorization.refresh_from_db()
    assert (first.outcome, again.outcome) == ("lost", "skipped")
    assert authorization.state == AuthorizationState.NEEDS_REAUTHORIZATION
    assert authorization.status == "needs_reauthorization"
    assert len(amazon_http.calls) == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ops@example.com"]
    assert "Amazon Store USA" in mailoutbox[0].body
    delivery = ReminderDelivery.objects.get()
    assert (delivery.kind, delivery.status) == ("lost", DeliveryStatus.SENT)
    assert {event.details["amazon_request_id"] for event in _verified_events()} == {REQUEST_ID}


def test_the_task_verifies_by_id_and_forgets_a_deleted_authorization(authorization, amazon_http):
    _refresh_ok(amazon_http)
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US"))

    result = verify_authorization.enqueue(authorization_id=authorization.pk)
    missing = verify_authorization.enqueue(authorization_id=authorization.pk + 1000)

    assert result.return_value == {"outcome": "ok", "code": ""}
    assert missing.return_value == {"outcome": "skipped", "code": "deleted"}


# The Verify button of the Current Authorizations page ----------------------------------------------------


def _verify(client, authorization, **data):
    return client.post(reverse("sellerauth:authorization_verify", args=[authorization.pk]), data)


def test_authorization_staff_verify_from_the_page_and_read_the_outcome(client, auth_staff, authorization, amazon_http):
    _refresh_ok(amazon_http)
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US", "CA"))
    client.force_login(auth_staff)

    response = _verify(client, authorization)

    assert response.status_code == 302
    assert response.url == f"{reverse('sellerauth:authorizations')}#authorization-{authorization.pk}"
    page = client.get(response.url).content.decode()
    assert f"Amazon confirmed the authorization of seller {amazon.SELLER}; it sells in: United States, Canada." in page


def test_managers_may_verify_too_and_go_back_where_they_were(manager_client, authorization, amazon_http, no_sleep):
    for _ in range(4):
        amazon_http.post(amazon.lwa_url(), status=503, body="")
    back = f"{reverse('sellerauth:authorizations')}?status=connected#authorization-{authorization.pk}"

    response = _verify(manager_client, authorization, next=back)

    assert response.url == back
    assert "Amazon is not answering properly" in manager_client.get(response.url).content.decode()
    authorization.refresh_from_db()
    assert authorization.last_verify_error == "lwa_http_503"


def test_verify_refuses_viewers_records_it_and_goes_nowhere_else(viewer_client, viewer, authorization, amazon_http):
    response = _verify(viewer_client, authorization, next="https://evil.example.com/")

    assert response.status_code == 403
    assert len(amazon_http.calls) == 0
    denied = StoreEvent.objects.filter(kind=StoreEvent.Kind.DENIED, actor=viewer)
    assert denied.count() == 2  # one line on each store of the authorization


def test_verify_does_not_follow_a_next_to_another_site(client, auth_staff, authorization, amazon_http, no_sleep):
    for _ in range(4):
        amazon_http.post(amazon.lwa_url(), status=503, body="")
    client.force_login(auth_staff)

    response = _verify(client, authorization, next="https://evil.example.com/")

    assert response.url.startswith(reverse("sellerauth:authorizations"))


def test_verify_needs_the_csrf_token(auth_staff, authorization, amazon_http):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(auth_staff)

    response = _verify(browser, authorization)

    assert response.status_code == 403
    assert len(amazon_http.calls) == 0


def test_verify_is_post_only_and_an_unknown_authorization_is_a_404(client, auth_staff, authorization):
    client.force_login(auth_staff)

    assert client.get(reverse("sellerauth:authorization_verify", args=[authorization.pk])).status_code == 405
    assert client.post(reverse("sellerauth:authorization_verify", args=[authorization.pk + 99])).status_code == 404


def test_verifying_a_revoked_authorization_asks_amazon_nothing(client, auth_staff, authorization, amazon_http):
    SellerAuthorization.objects.filter(pk=authorization.pk).update(state=AuthorizationState.REVOKED)
    client.force_login(auth_staff)

    response = _verify(client, authorization)

    assert "is not active; Amazon was not asked" in client.get(response.url).content.decode()
    assert len(amazon_http.calls) == 0


# The scheduled job against the live sandbox over HTTP ------------------------------------------------------

MANAGE = "/sandbox/sellercentral/apps/manage"


@pytest.fixture
def sandbox(live_sandbox):
    from tests.amazon_sandbox.flow import Sandbox

    return Sandbox(live_sandbox)


def _connect(client, sandbox, store) -> requests.Session:
    """Connect store → the sandbox's consent pages → the callback; return the seller's browser session."""
    seller = requests.Session()
    consent = client.post(reverse("sellerauth:connect", args=[store.pk])).url
    params = {name: values[0] for name, values in parse_qs(urlsplit(consent).query).items()}
    back = sandbox.authorize(seller, **params)
    response = client.get(reverse("sellerauth:callback"), {name: values[0] for name, values in back.items()})
    assert response.status_code == 303
    assert SellerAuthorization.objects.filter(state=AuthorizationState.ACTIVE).exists()
    return seller


@pytest.mark.django_db(transaction=True)
def test_a_seller_who_removed_the_app_needs_re_authorization_after_the_job_and_hears_it_once(
    manager_client, sandbox, mailoutbox
):
    from amazon_sandbox.models import AppAuthorization
    from tests.factories import AmazonStoreFactory

    store = AmazonStoreFactory(marketplace="US", contact_email="owner@example.com")
    seller = _connect(manager_client, sandbox, store)
    removed = sandbox.post(seller, f"{MANAGE}/{AppAuthorization.objects.get().pk}/remove", {}, form_page=MANAGE)
    assert removed.status_code == 302
    seller.close()
    authorization = SellerAuthorization.objects.get()
    access_tokens.access_token_forget(authorization_id=authorization.pk)  # as an hour later

    first, second = StringIO(), StringIO()
    call_command("verify_authorizations", stdout=first)
    call_command("verify_authorizations", stdout=second)

    authorization.refresh_from_db()
    assert authorization.status == "needs_reauthorization"
    assert [message.to for message in mailoutbox] == [["owner@example.com"]]
    assert first.getvalue().endswith("1 verification queued, 1 lost; 1 authorization due.\n")
    assert second.getvalue().endswith("0 verifications queued; 0 authorizations due.\n")
    assert "Needs re-authorization" in manager_client.get(store.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_consent_aged_past_365_days_shows_expired_after_the_job(manager_client, manager, sandbox, mailoutbox):
    from tests.factories import AmazonStoreFactory

    store = AmazonStoreFactory(marketplace="US")
    _connect(manager_client, sandbox, store).close()  # the seller's browser leaves; its connection ends now
    authorization = SellerAuthorization.objects.get()

    with time_machine.travel(timezone.now() + timedelta(days=366)):
        call_command("verify_authorizations", stdout=StringIO())
        authorization.refresh_from_db()
        status = authorization.status
        manager_client.force_login(manager)  # the session of a year ago has lapsed
        page = manager_client.get(store.get_absolute_url()).content.decode()

    assert authorization.last_verify_error == "invalid_grant"  # Amazon's side ended it too
    assert authorization.state == AuthorizationState.NEEDS_REAUTHORIZATION
    assert status == "expired"  # and Expired says why
    assert "Expired" in page
    assert len(mailoutbox) == 1
    assert "expired on" in mailoutbox[0].body

"""Fault switches: the next calls to the LWA or the SP-API fail as armed, then work again."""

import threading
import time

import pytest
import requests
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from amazon_sandbox.faults import faults_arm, faults_clear
from amazon_sandbox.models import FaultSwitch
from tests.factories import UserFactory

# A normal answer of each target to a call the tests can make without tokens: 401 and 403.
NORMAL = {"lwa": 401, "spapi": 403}


def _call(sandbox, target: str) -> requests.Response:
    if target == "lwa":
        return sandbox.token(grant_type="refresh_token", refresh_token="Atzr|x", client_secret="wrong")
    return sandbox.participations("Atza|x")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("target", ["lwa", "spapi"])
@pytest.mark.parametrize(
    ("mode", "status"), [("500", 500), ("503", 503), ("429", 429), ("html", 502), ("malformed_json", 200)]
)
def test_an_armed_fault_answers_the_next_calls_then_is_used_up(sandbox, target, mode, status):
    faults_arm(target=target, mode=mode, times=2)

    faulted = [_call(sandbox, target) for _ in range(2)]
    normal = _call(sandbox, target)

    assert [response.status_code for response in faulted] == [status, status]
    assert normal.status_code == NORMAL[target]
    assert FaultSwitch.objects.get().remaining == 0
    other = "spapi" if target == "lwa" else "lwa"
    assert _call(sandbox, other).status_code == NORMAL[other]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("target", ["lwa", "spapi"])
def test_the_faults_look_like_amazons(sandbox, target):
    for mode in ("500", "503", "429", "html", "malformed_json"):
        faults_arm(target=target, mode=mode)

    server_error, unavailable, throttled, html, truncated = (_call(sandbox, target) for _ in range(5))

    for response in (server_error, unavailable, throttled):
        body = response.json()
        assert ("error" in body) if target == "lwa" else (body["errors"][0]["code"] and body["errors"][0]["message"])
    assert html.headers["Content-Type"].startswith("text/html")
    assert html.text.lstrip().startswith("<!DOCTYPE html>")
    assert truncated.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        truncated.json()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("target", ["lwa", "spapi"])
def test_a_429_says_when_to_retry(sandbox, target):
    faults_arm(target=target, mode="429", retry_after=7)
    faults_arm(target=target, mode="429")

    first, second = _call(sandbox, target), _call(sandbox, target)

    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert (second.status_code, second.headers["Retry-After"]) == (429, "1")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("target", ["lwa", "spapi"])
def test_a_timeout_answers_504_after_the_wait(sandbox, settings, target):
    settings.AMAZON_SANDBOX_TIMEOUT_SECONDS = 0.5
    faults_arm(target=target, mode="timeout")

    started = time.monotonic()
    response = _call(sandbox, target)

    assert response.status_code == 504
    assert time.monotonic() - started >= 0.5
    assert _call(sandbox, target).status_code == NORMAL[target]


@pytest.mark.django_db(transaction=True)
def test_a_client_with_a_shorter_timeout_gives_up(sandbox, settings):
    settings.AMAZON_SANDBOX_TIMEOUT_SECONDS = 1
    faults_arm(target="spapi", mode="timeout")

    with pytest.raises(requests.Timeout):
        requests.get(f"{sandbox.url}/sandbox/spapi/na/sellers/v1/marketplaceParticipations", timeout=0.2)
    time.sleep(1)  # let the server finish the answer before the database is emptied


@pytest.mark.django_db(transaction=True)
def test_switches_fire_in_the_order_they_were_armed_and_clear_stops_them(sandbox):
    faults_arm(target="spapi", mode="503", times=2)
    faults_arm(target="spapi", mode="429")
    faults_arm(target="spapi", mode="500", times=5)

    statuses = [_call(sandbox, "spapi").status_code for _ in range(4)]
    faults_clear()

    assert statuses == [503, 503, 429, 500]
    assert _call(sandbox, "spapi").status_code == 403


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_spend_a_switch_exactly_as_often_as_armed(sandbox):
    faults_arm(target="spapi", mode="503", times=3)
    barrier = threading.Barrier(8)
    statuses = []

    def call():
        barrier.wait()
        statuses.append(_call(sandbox, "spapi").status_code)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [403] * 5 + [503] * 3


def test_arming_refuses_unknown_targets_modes_and_counts(db):
    for wrong in ({"target": "nowhere"}, {"mode": "418"}, {"times": 0}):
        with pytest.raises(ValidationError):
            faults_arm(**{"target": "lwa", "mode": "500", **wrong})

    assert not FaultSwitch.objects.exists()


# The faults page ------------------------------------------------------------------------------------


def test_the_faults_page_needs_a_signed_in_user(client, db):
    response = client.get(reverse("amazon_sandbox:faults"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_faults_page_needs_a_staff_user(client, db):
    client.force_login(UserFactory(is_staff=False))

    assert client.get(reverse("amazon_sandbox:faults")).status_code == 403
    assert client.post(reverse("amazon_sandbox:faults"), {"action": "clear"}).status_code == 403


def test_staff_arm_and_clear_faults_on_the_page(client, db):
    client.force_login(UserFactory(is_staff=True))
    url = reverse("amazon_sandbox:faults")

    page = client.get(url)
    armed = client.post(url, {"action": "arm", "target": "lwa", "mode": "429", "remaining": "3", "retry_after": "30"})

    assert page.status_code == 200
    assert "No fault is armed" in page.text
    assert armed.status_code == 302
    switch = FaultSwitch.objects.get()
    assert (switch.target, switch.mode, switch.remaining, switch.retry_after) == ("lwa", "429", 3, 30)
    listing = client.get(url).text
    assert "429 too many requests" in listing
    assert "The fault switch is armed." in listing

    client.post(url, {"action": "clear"})

    assert not FaultSwitch.objects.exists()


def test_the_faults_page_shows_mistakes_in_the_form(client, db):
    client.force_login(UserFactory(is_staff=True))

    response = client.post(
        reverse("amazon_sandbox:faults"), {"action": "arm", "target": "lwa", "mode": "500", "remaining": "0"}
    )

    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 1." in response.text
    assert not FaultSwitch.objects.exists()


def test_the_faults_page_needs_the_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True))

    response = client.post(reverse("amazon_sandbox:faults"), {"action": "arm", "target": "lwa", "mode": "500"})

    assert response.status_code == 403
    assert not FaultSwitch.objects.exists()


def test_the_faults_page_leads_back_to_where_the_site_sends_a_signed_in_user(client, db, settings):
    # The sandbox knows none of the application's pages: it asks the site's LOGIN_REDIRECT_URL.
    settings.LOGIN_REDIRECT_URL = "/somewhere/"
    client.force_login(UserFactory(is_staff=True))

    page = client.get(reverse("amazon_sandbox:faults")).text

    assert '<a href="/somewhere/">Back to the application</a>' in page

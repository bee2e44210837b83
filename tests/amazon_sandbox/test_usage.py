"""Usage plans and request IDs: the SP-API throttles per seller and application, and names every answer."""

import threading
from datetime import timedelta

import pytest
import requests
import time_machine
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from amazon_sandbox.faults import faults_arm
from amazon_sandbox.models import UsageBucket
from amazon_sandbox.usage import usage_plan, usage_plan_problems, usage_take
from tests.amazon_sandbox.flow import REQUEST_ID, TIMEOUT, lwa_error
from tests.amazon_sandbox.test_spapi import _validator

pytestmark = pytest.mark.django_db(transaction=True)

QUOTA_EXCEEDED = {
    "errors": [
        {"code": "QuotaExceeded", "message": "You exceeded your quota for the requested resource.", "details": ""}
    ]
}


def _plan(settings, *, rate: float, burst: int) -> None:
    settings.AMAZON_SANDBOX_USAGE_PLANS = {"getMarketplaceParticipations": {"rate": rate, "burst": burst}}


def test_the_burst_is_served_then_429_quota_exceeded_without_retry_after(sandbox):
    token = sandbox.tokens()["access_token"]

    with time_machine.travel(timezone.now(), tick=False) as clock:
        served = [sandbox.participations(token) for _ in range(15)]
        throttled = sandbox.participations(token)
        clock.shift(timedelta(seconds=30))
        still_throttled = sandbox.participations(token)
        clock.shift(timedelta(seconds=33))  # 63 s at 0.016 requests per second: one more request
        refilled = sandbox.participations(token)
        after_refill = sandbox.participations(token)

    assert [response.status_code for response in served] == [200] * 15
    assert {response.headers["x-amzn-RateLimit-Limit"] for response in served} == {"0.016"}
    assert (throttled.status_code, throttled.json()) == (429, QUOTA_EXCEEDED)
    assert throttled.headers["Content-Type"] == "application/json"
    assert "Retry-After" not in throttled.headers
    assert "x-amzn-RateLimit-Limit" not in throttled.headers
    assert REQUEST_ID.fullmatch(throttled.headers["x-amzn-RequestId"])
    _validator("GetMarketplaceParticipationsResponse").validate(throttled.json())
    assert still_throttled.status_code == 429
    assert refilled.status_code == 200
    assert after_refill.status_code == 429


def test_a_shrunk_plan_throttles_sooner_and_says_its_rate(sandbox, settings):
    _plan(settings, rate=0.5, burst=2)
    token = sandbox.tokens()["access_token"]

    with time_machine.travel(timezone.now(), tick=False) as clock:
        statuses = [sandbox.participations(token).status_code for _ in range(3)]
        clock.shift(timedelta(seconds=2))
        refilled = sandbox.participations(token)
        clock.shift(timedelta(minutes=10))  # a long pause refills the bucket up to the burst, no further
        after_pause = [sandbox.participations(token).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert (refilled.status_code, refilled.headers["x-amzn-RateLimit-Limit"]) == (200, "0.5")
    assert after_pause == [200, 200, 429]


def test_each_seller_and_application_has_its_own_bucket(sandbox, settings):
    _plan(settings, rate=0.001, burst=1)
    northwind = sandbox.tokens()
    prairie = sandbox.tokens(browser=requests.Session(), login="us-only-seller@example.com")

    first = sandbox.participations(northwind["access_token"])
    second = sandbox.participations(northwind["access_token"])
    other_seller = sandbox.participations(prairie["access_token"])
    # A new access token of the same seller and application draws on the same bucket.
    fresh = sandbox.token(grant_type="refresh_token", refresh_token=northwind["refresh_token"]).json()
    same_bucket = sandbox.participations(fresh["access_token"])

    assert [first.status_code, second.status_code, other_seller.status_code] == [200, 429, 200]
    assert same_bucket.status_code == 429
    assert UsageBucket.objects.count() == 2


def test_the_bucket_is_kept_in_the_database_for_every_process(sandbox, settings, sandbox_sellers):
    _plan(settings, rate=0.001, burst=3)
    token = sandbox.tokens()["access_token"]
    seller = sandbox_sellers["na-seller@example.com"]

    assert sandbox.participations(token).status_code == 200
    bucket = UsageBucket.objects.get()
    assert (bucket.seller, bucket.operation) == (seller, "getMarketplaceParticipations")
    # Another process spending the rest of the bucket: this one's next call is throttled.
    for _ in range(2):
        assert usage_take(seller=seller, application_id=bucket.application_id, operation=bucket.operation)

    assert sandbox.participations(token).status_code == 429


def test_refused_tokens_spend_nothing(sandbox, settings):
    _plan(settings, rate=0.001, burst=1)
    token = sandbox.tokens()["access_token"]

    for _ in range(3):
        assert sandbox.participations("Atza|not-issued").status_code == 403

    assert sandbox.participations(token).status_code == 200
    assert sandbox.participations(token).status_code == 429


@pytest.mark.postgres
def test_concurrent_calls_spend_the_bucket_exactly_once_each(sandbox, settings):
    _plan(settings, rate=0.0001, burst=3)
    token = sandbox.tokens()["access_token"]
    barrier = threading.Barrier(8)
    statuses = []

    def call():
        barrier.wait()
        statuses.append(sandbox.participations(token).status_code)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] * 3 + [429] * 5


# Request IDs --------------------------------------------------------------------------------------------


def test_every_sp_api_answer_has_a_fresh_request_id(sandbox, settings):
    _plan(settings, rate=0.001, burst=1)
    token = sandbox.tokens()["access_token"]
    faults_arm(target="spapi", mode="503")
    url = f"{sandbox.url}/sandbox/spapi/na/sellers/v1/marketplaceParticipations"

    answers = [
        sandbox.participations(token),  # the fault
        sandbox.participations(token),
        sandbox.participations(token),
        sandbox.participations("Atza|x"),
        sandbox.participations(None),
        requests.post(url, timeout=TIMEOUT),
    ]

    assert [response.status_code for response in answers] == [503, 200, 429, 403, 403, 405]
    ids = [response.headers["x-amzn-RequestId"] for response in answers]
    assert all(REQUEST_ID.fullmatch(value) for value in ids)
    assert len(set(ids)) == len(ids)


def test_every_lwa_error_body_has_a_fresh_request_id(sandbox):
    faults_arm(target="lwa", mode="500")
    faults_arm(target="lwa", mode="503")
    faults_arm(target="lwa", mode="429")

    answers = [
        *(sandbox.token(grant_type="refresh_token", refresh_token="Atzr|x") for _ in range(3)),
        sandbox.token(grant_type="refresh_token", refresh_token="Atzr|x"),
        sandbox.token(grant_type="refresh_token"),
        sandbox.token(grant_type="password"),
        sandbox.token(grant_type="refresh_token", refresh_token="Atzr|x", client_secret="wrong"),
        requests.post(sandbox.token_url, data="{", headers={"Content-Type": "application/json"}, timeout=TIMEOUT),
    ]

    errors = [lwa_error(response) for response in answers]
    assert [(status, body["error"]) for status, body in errors] == [
        (500, "server_error"),
        (503, "temporarily_unavailable"),
        (429, "temporarily_unavailable"),
        (400, "invalid_grant"),
        (400, "invalid_request"),
        (400, "unsupported_grant_type"),
        (401, "invalid_client"),
        (400, "invalid_request"),
    ]
    assert len({response.json()["request_id"] for response in answers}) == len(answers)


def test_a_successful_token_answer_has_no_request_id_in_its_body(sandbox):
    body = sandbox.tokens()

    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}


# The setting ----------------------------------------------------------------------------------------------


def test_amazons_plan_is_the_default_and_the_setting_overrides_it(settings):
    settings.AMAZON_SANDBOX_USAGE_PLANS = {}
    default = usage_plan(operation="getMarketplaceParticipations")
    settings.AMAZON_SANDBOX_USAGE_PLANS = {"getMarketplaceParticipations": {"burst": 2}}
    half = usage_plan(operation="getMarketplaceParticipations")

    assert (default.rate, default.burst, default.limit_header) == (0.016, 15, "0.016")
    assert (half.rate, half.burst) == (0.016, 2)


@pytest.mark.parametrize(
    "config",
    [
        [],
        {"getOrders": {"rate": 1, "burst": 1}},
        {"getMarketplaceParticipations": 5},
        {"getMarketplaceParticipations": {"rate": 0, "burst": 1}},
        {"getMarketplaceParticipations": {"rate": 1, "burst": 0}},
        {"getMarketplaceParticipations": {"rate": 1, "burst": 1.5}},
        {"getMarketplaceParticipations": {"rate": True}},
        {"getMarketplaceParticipations": {"rate": 1, "bursts": 1}},
    ],
)
def test_a_malformed_usage_plan_setting_fails_the_system_check(settings, config):
    settings.AMAZON_SANDBOX_USAGE_PLANS = config

    assert usage_plan_problems(config)
    with pytest.raises(SystemCheckError, match=r"amazon_sandbox\.E002"):
        call_command("check")

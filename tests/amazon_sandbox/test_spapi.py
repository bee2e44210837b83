"""The sandbox's SP-API sellers endpoint, over real HTTP, checked against Amazon's model of it."""

import copy
import json
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
import requests
import time_machine

from tests.amazon_sandbox.flow import TIMEOUT

pytestmark = pytest.mark.django_db(transaction=True)

MODEL = json.loads((Path(__file__).parents[1] / "data" / "sellers-api-model.json").read_text())
UNAUTHORIZED = {
    "errors": [
        {
            "code": "Unauthorized",
            "message": "Access to requested resource is denied.",
            "details": "The access token you provided is revoked, malformed or invalid.",
        }
    ]
}


def _validator(definition: str) -> jsonschema.Draft4Validator:
    # Swagger 2.0 schemas are JSON Schema draft 4; the document's own definitions resolve the $refs.
    schema = {"$ref": f"#/definitions/{definition}", "definitions": MODEL["definitions"]}
    return jsonschema.Draft4Validator(schema)


def test_the_participations_of_a_north_american_seller(sandbox):
    tokens = sandbox.tokens()

    response = sandbox.participations(tokens["access_token"], "na")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["x-amzn-RequestId"]
    payload = response.json()["payload"]
    assert [item["marketplace"]["id"] for item in payload] == ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"]
    assert payload[0] == {
        "marketplace": {
            "id": "ATVPDKIKX0DER",
            "name": "Amazon.com",
            "countryCode": "US",
            "defaultCurrencyCode": "USD",
            "defaultLanguageCode": "en_US",
            "domainName": "www.amazon.com",
        },
        "participation": {"isParticipating": True, "hasSuspendedListings": False},
        "storeName": "Northwind Outfitters",
    }
    assert [item["marketplace"]["defaultLanguageCode"] for item in payload] == ["en_US", "en_CA", "es_MX"]


def test_the_answer_validates_against_amazons_model(sandbox):
    tokens = sandbox.tokens(login="eu-seller@example.com")

    body = sandbox.participations(tokens["access_token"], "eu").json()

    _validator("GetMarketplaceParticipationsResponse").validate(body)
    assert [item["marketplace"]["countryCode"] for item in body["payload"]] == ["GB"]
    assert body["payload"][0]["marketplace"]["defaultLanguageCode"] == "en_GB"


def test_the_model_check_would_catch_a_wrong_shape(sandbox):
    body = sandbox.participations(sandbox.tokens()["access_token"]).json()
    validator = _validator("GetMarketplaceParticipationsResponse")
    no_store_name = copy.deepcopy(body)
    del no_store_name["payload"][0]["storeName"]
    bad_country = copy.deepcopy(body)
    bad_country["payload"][1]["marketplace"]["countryCode"] = "usa"
    not_boolean = copy.deepcopy(body)
    not_boolean["payload"][0]["participation"]["isParticipating"] = "true"

    for wrong in (no_store_name, bad_country, not_boolean):
        assert not validator.is_valid(wrong)
    assert validator.is_valid(body)


def test_no_token_is_refused(sandbox):
    response = sandbox.participations(None)

    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == UNAUTHORIZED
    _validator("GetMarketplaceParticipationsResponse").validate(response.json())


def test_a_malformed_or_unknown_token_is_refused(sandbox):
    for token in ("Atza|not-issued", "x" * 3000):
        response = sandbox.participations(token)
        assert (response.status_code, response.json()) == (403, UNAUTHORIZED)


def test_an_access_token_works_for_an_hour(sandbox):
    token = sandbox.tokens()["access_token"]

    with time_machine.travel(timedelta(minutes=59)):
        assert sandbox.participations(token).status_code == 200
    with time_machine.travel(timedelta(minutes=60, seconds=1)):
        expired = sandbox.participations(token)

    assert (expired.status_code, expired.json()) == (403, UNAUTHORIZED)


def test_an_access_token_works_only_in_its_sellers_region(sandbox):
    token = sandbox.tokens()["access_token"]

    for region in ("eu", "fe"):
        response = sandbox.participations(token, region)
        assert (response.status_code, response.json()) == (403, UNAUTHORIZED)


def test_a_refreshed_access_token_works(sandbox):
    refresh_token = sandbox.tokens(login="us-only-seller@example.com")["refresh_token"]
    access_token = sandbox.token(grant_type="refresh_token", refresh_token=refresh_token).json()["access_token"]

    payload = sandbox.participations(access_token).json()["payload"]

    assert [(item["marketplace"]["countryCode"], item["storeName"]) for item in payload] == [
        ("US", "Prairie Pantry Co.")
    ]


def test_an_unknown_region_is_not_found(sandbox):
    response = requests.get(f"{sandbox.url}/sandbox/spapi/xx/sellers/v1/marketplaceParticipations", timeout=TIMEOUT)

    assert response.status_code == 404

"""The sandbox plays the whole year: grants end 365 days after consent, and staff move consents back."""

from datetime import timedelta

import pytest
import requests
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amazon_sandbox.app import registered_application
from amazon_sandbox.models import AppAuthorization, SandboxSeller
from amazon_sandbox.services import (
    REVOKED_DESCRIPTION,
    authorization_backdate,
    authorization_code_exchange,
    authorization_code_issue,
)
from tests.amazon_sandbox.flow import lwa_error
from tests.amazon_sandbox.test_spapi import UNAUTHORIZED
from tests.factories import UserFactory

INVALID_GRANT = (400, {"error": "invalid_grant", "error_description": REVOKED_DESCRIPTION})


def _grant(email: str = "na-seller@example.com") -> AppAuthorization:
    application = registered_application()
    seller = SandboxSeller.objects.get(email=email)
    uri = application.default_redirect_uri
    code = authorization_code_issue(seller=seller, application_id=application.application_id, redirect_uri=uri)
    authorization_code_exchange(code=code, redirect_uri=uri, application_id=application.application_id)
    return AppAuthorization.objects.get(seller=seller)


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(is_staff=True))
    return client


# Amazon's side of the year, over real HTTP ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_refresh_token_works_until_its_grant_is_365_days_old(sandbox):
    refresh_token = sandbox.tokens()["refresh_token"]

    with time_machine.travel(timedelta(days=364, hours=23)):
        almost = sandbox.token(grant_type="refresh_token", refresh_token=refresh_token)
    with time_machine.travel(timedelta(days=365, seconds=1)):
        expired = sandbox.token(grant_type="refresh_token", refresh_token=refresh_token)

    assert almost.status_code == 200
    assert lwa_error(expired) == INVALID_GRANT


@pytest.mark.django_db(transaction=True)
def test_the_access_tokens_of_an_expired_grant_are_refused(sandbox):
    tokens = sandbox.tokens()
    assert sandbox.participations(tokens["access_token"]).status_code == 200

    authorization_backdate(authorization_id=AppAuthorization.objects.get().pk, days=365)
    response = sandbox.participations(tokens["access_token"])

    assert (response.status_code, response.json()) == (403, UNAUTHORIZED)
    assert response.headers["x-amzn-RequestId"]


@pytest.mark.django_db(transaction=True)
def test_a_new_consent_starts_a_new_year(sandbox):
    sandbox.tokens()
    authorization_backdate(authorization_id=AppAuthorization.objects.get().pk, days=400)

    renewed = sandbox.tokens()
    refreshed = sandbox.token(grant_type="refresh_token", refresh_token=renewed["refresh_token"])

    assert refreshed.status_code == 200
    assert sandbox.participations(refreshed.json()["access_token"]).status_code == 200
    assert timezone.now() - AppAuthorization.objects.get().granted_at < timedelta(minutes=1)


# The staff's Sellers page ---------------------------------------------------------------------------------


def test_moving_a_consent_back_needs_1_to_3650_days(db):
    grant = _grant()
    granted = grant.granted_at

    for days in (0, -1, 3651, "7"):
        with pytest.raises(ValidationError):
            authorization_backdate(authorization_id=grant.pk, days=days)
    moved = authorization_backdate(authorization_id=grant.pk, days=3650)

    assert granted - moved.granted_at == timedelta(days=3650)
    with pytest.raises(ValidationError):
        authorization_backdate(authorization_id=grant.pk + 1000, days=1)


def test_the_sellers_page_needs_a_signed_in_staff_user(client, db):
    grant = _grant()
    url = reverse("amazon_sandbox:sellers")
    backdate = reverse("amazon_sandbox:consent_backdate", args=[grant.pk])

    anonymous = client.get(url)
    client.force_login(UserFactory(is_staff=False))

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert client.get(url).status_code == 403
    assert client.post(backdate, {"days": "30"}).status_code == 403
    assert AppAuthorization.objects.get().granted_at == grant.granted_at


def test_the_sellers_page_shows_each_seller_with_its_grant_and_days_left(staff_client):
    _grant()

    page = staff_client.get(reverse("amazon_sandbox:sellers")).text

    assert "Northwind Outfitters" in page
    assert "365 days left" in page
    assert page.count("No application authorized") == 2
    assert "getMarketplaceParticipations" in page
    assert "0.016" in page
    assert reverse("amazon_sandbox:faults") in page


def test_staff_move_a_consent_back_and_the_page_counts_down(staff_client):
    grant = _grant()

    response = staff_client.post(reverse("amazon_sandbox:consent_backdate", args=[grant.pk]), {"days": "335"})
    page = staff_client.get(reverse("amazon_sandbox:sellers")).text

    assert response.status_code == 302
    assert response["Location"] == reverse("amazon_sandbox:sellers")
    assert grant.granted_at - AppAuthorization.objects.get().granted_at == timedelta(days=335)
    assert "The consent of Northwind Outfitters is now dated" in page
    assert "30 days left" in page

    staff_client.post(reverse("amazon_sandbox:consent_backdate", args=[grant.pk]), {"days": "31"})

    assert "Expired" in staff_client.get(reverse("amazon_sandbox:sellers")).text


@pytest.mark.parametrize("days", ["0", "3651", "-5", "ten", "", "1.5"])
def test_a_wrong_number_of_days_is_explained_and_nothing_moves(staff_client, days):
    grant = _grant()

    response = staff_client.post(reverse("amazon_sandbox:consent_backdate", args=[grant.pk]), {"days": days})

    assert response.status_code == 400
    assert "Enter a whole number of days from 1 to 3650." in response.text
    assert f'id="id_days_{grant.pk}"' in response.text
    assert AppAuthorization.objects.get().granted_at == grant.granted_at


def test_moving_a_removed_grant_says_it_is_gone(staff_client):
    grant = _grant()
    AppAuthorization.objects.all().delete()

    response = staff_client.post(reverse("amazon_sandbox:consent_backdate", args=[grant.pk]), {"days": "5"})

    assert response.status_code == 302
    assert "That authorization no longer exists." in staff_client.get(response["Location"]).text


def test_moving_a_consent_back_needs_the_csrf_token(db):
    grant = _grant()
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True))

    response = client.post(reverse("amazon_sandbox:consent_backdate", args=[grant.pk]), {"days": "5"})

    assert response.status_code == 403
    assert AppAuthorization.objects.get().granted_at == grant.granted_at


def test_the_faults_page_links_to_the_sellers_page(staff_client):
    page = staff_client.get(reverse("amazon_sandbox:faults")).text

    assert f'href="{reverse("amazon_sandbox:sellers")}"' in page


@pytest.mark.django_db(transaction=True)
def test_the_year_is_walked_through_in_the_browser(sandbox, live_server):
    """Staff move the consent back on the page; the application's next refresh then fails as at Amazon."""
    refresh_token = sandbox.tokens()["refresh_token"]
    grant = AppAuthorization.objects.get()
    UserFactory(username="sandbox-staff", is_staff=True, password="staff-password-1")
    staff = requests.Session()
    sign_in = sandbox.get(staff, "/accounts/login/")
    assert sign_in.status_code == 200
    sandbox.post(staff, "/accounts/login/", {"username": "sandbox-staff", "password": "staff-password-1"})
    sellers = "/sandbox/sellers/"

    sandbox.post(staff, f"/sandbox/sellers/grants/{grant.pk}/backdate", {"days": "364"}, form_page=sellers)
    still = sandbox.token(grant_type="refresh_token", refresh_token=refresh_token)
    sandbox.post(staff, f"/sandbox/sellers/grants/{grant.pk}/backdate", {"days": "1"}, form_page=sellers)
    ended = sandbox.token(grant_type="refresh_token", refresh_token=refresh_token)

    assert still.status_code == 200
    assert lwa_error(ended) == INVALID_GRANT
    assert "Expired" in sandbox.get(staff, sellers).text

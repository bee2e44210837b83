"""Sign-in throttling (django-axes): repeated failures lock an account for the address they came from."""

import logging
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

LOGIN = reverse("login")
PASSWORD = "correct-horse-battery"
WRONG = "wrong-password-1234"


@pytest.fixture
def user(db):
    return UserFactory(username="manager")


def _sign_in(client, username, password, address="192.0.2.10", **headers):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def _fail(client, username, times, address="192.0.2.10", **headers):
    return [_sign_in(client, username, WRONG, address, **headers).status_code for _ in range(times)]


def test_the_fifth_failure_locks_and_then_even_the_right_password_is_refused(client, user, settings):
    assert settings.AXES_FAILURE_LIMIT == 5

    assert _fail(client, "manager", 5) == [200, 200, 200, 200, 429]
    response = _sign_in(client, "manager", PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in locked for a while" in page
    assert "5 sign-ins in a row to this account from your address failed" in page
    assert "Try again in 15 minutes" in page
    assert "ask an administrator to unlock" in page
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_fewer_failures_than_the_limit_then_the_right_password_signs_in(client, user):
    assert _fail(client, "manager", 4) == [200] * 4

    response = _sign_in(client, "manager", PASSWORD)

    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()  # a success forgets the failures


def test_another_account_and_another_address_are_not_locked(client, user):
    UserFactory(username="viewer")
    _fail(client, "manager", 5)

    other_account = _sign_in(client, "viewer", PASSWORD)
    client.logout()
    other_address = _sign_in(client, "manager", PASSWORD, address="198.51.100.7")

    assert other_account.status_code == 302
    assert other_address.status_code == 302


def test_the_lock_ends_after_the_cool_off(client, user):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _fail(client, "manager", 5)
        traveller.shift(timedelta(minutes=14))
        assert _sign_in(client, "manager", PASSWORD).status_code == 429  # and the wait starts again
        traveller.shift(timedelta(minutes=14))
        assert _sign_in(client, "manager", PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=16))

        assert _sign_in(client, "manager", PASSWORD).status_code == 302


def test_the_limit_and_the_cool_off_come_from_the_settings(client, user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)

    assert _fail(client, "manager", 2) == [200, 429]
    assert "Try again in 1 minute;" in _sign_in(client, "manager", PASSWORD).content.decode()


def test_an_administrator_unlocks_in_the_admin(client, user):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    _fail(client, "manager", 5)
    attempt = AccessAttempt.objects.get(username="manager")
    client.force_login(admin)

    listed = client.get(reverse("admin:axes_accessattempt_changelist"))
    deleted = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    client.logout()

    assert "manager" in listed.content.decode()
    assert deleted.status_code == 302
    assert _sign_in(client, "manager", PASSWORD).status_code == 302


def test_the_reset_command_unlocks(client, user):
    _fail(client, "manager", 5)

    call_command("axes_reset_username", "manager")

    assert _sign_in(client, "manager", PASSWORD).status_code == 302


def test_x_forwarded_for_is_ignored_by_default(client, user):
    # Each failure claims another client address: without a configured proxy, the peer's address counts.
    for number in range(5):
        _sign_in(client, "manager", WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")

    assert _sign_in(client, "manager", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}


def test_behind_a_configured_proxy_the_address_it_saw_counts(client, user, settings):
    settings.ASC_PROXY_COUNT = 1
    proxy = "10.0.0.5"
    # The client's own X-Forwarded-For value is kept by the proxy, which appends the address it saw.
    _fail(client, "manager", 5, address=proxy, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")

    locked = _sign_in(client, "manager", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    other_client = _sign_in(client, "manager", PASSWORD, proxy, HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert locked.status_code == 429
    assert other_client.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


@pytest.mark.parametrize("forwarded", ["", "not-an-address"])
def test_behind_a_proxy_a_missing_or_malformed_header_counts_the_peer(client, user, settings, forwarded):
    settings.ASC_PROXY_COUNT = 1

    _fail(client, "manager", 1, address="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.5"]


def test_the_lockout_is_logged_and_no_password_is_stored_or_logged(client, user, caplog):
    caplog.set_level(logging.INFO)

    _fail(client, "manager", 5)
    _sign_in(client, "manager", PASSWORD)

    assert any("Locking out" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        assert WRONG not in record.getMessage() and PASSWORD not in record.getMessage()
    stored = AccessAttempt.objects.get()
    assert stored.failures_since_start == 6
    assert WRONG not in stored.post_data and PASSWORD not in stored.post_data


def test_the_admin_sign_in_is_throttled_too(client, user):
    user.is_staff = True
    user.save()
    admin_login = reverse("admin:login")
    for _ in range(5):
        client.post(admin_login, {"username": "manager", "password": WRONG}, REMOTE_ADDR="192.0.2.10")

    response = client.post(admin_login, {"username": "manager", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10")

    assert response.status_code == 429
    assert "Sign-in locked for a while" in response.content.decode()


def test_the_axes_records_are_in_the_admin(client, user):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    for model in ("accessattempt", "accesslog", "accessfailurelog"):
        assert client.get(reverse(f"admin:axes_{model}_changelist"), {"q": "x"}).status_code == 200, model

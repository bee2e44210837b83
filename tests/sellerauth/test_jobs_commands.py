"""The two jobs as cron runs them: their output, --dry-run, and the tasks backend that runs verifications."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from sellerauth.models import AuthorizationState, ReminderDelivery, SellerAuthorization, StoreConnection
from sellerauth.token_vault import token_encrypt
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.factories import AmazonStoreFactory

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _authorization(seller, *, expires_in=timedelta(days=200), **fields):
    expires_at = timezone.now() + expires_in
    authorization = SellerAuthorization.objects.create(
        selling_partner_id=seller,
        region="NA",
        seller_store_name="Northwind Outfitters",
        refresh_token_encrypted=token_encrypt(amazon.REFRESH_TOKEN),
        granted_at=expires_at - timedelta(days=365),
        expires_at=expires_at,
        **fields,
    )
    StoreConnection.objects.create(store=AmazonStoreFactory(name=f"Store of {seller}"), authorization=authorization)
    return authorization


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _amazon_answers(amazon_http, *, throttle_second=False):
    """LWA refreshes; the SP-API answers, then (optionally) throttles the next seller."""
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(refresh_token=None, access_token="Atza|one"))
    amazon_http.post(amazon.lwa_url(), json=amazon.token_response(refresh_token=None, access_token="Atza|two"))
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US"))
    if throttle_second:
        amazon_http.get(amazon.participations_url(), status=429, json={"errors": [{"code": "QuotaExceeded"}]})


def test_send_reauthorization_reminders_prints_progress_and_a_summary(db, mailoutbox):
    with time_machine.travel(NOW, tick=False):
        _authorization("A2DUESEVEN0001", expires_in=timedelta(days=7))
        _authorization("A2NOTDUE000001")
        first = _run("send_reauthorization_reminders")
        again = _run("send_reauthorization_reminders")

    assert first.splitlines() == [
        "A2DUESEVEN0001 (NA) (7-day reminder, expires 2027-01-22): reminder sent",
        "1 reminder sent, 0 failed, 0 already sent; 1 authorization checked.",
    ]
    assert again.splitlines() == ["0 reminders sent, 0 failed, 1 already sent; 1 authorization checked."]
    assert len(mailoutbox) == 1


def test_send_reauthorization_reminders_dry_run_sends_and_writes_nothing(db, mailoutbox):
    with time_machine.travel(NOW, tick=False):
        _authorization("A2DUESEVEN0001", expires_in=timedelta(days=7))
        output = _run("send_reauthorization_reminders", "--dry-run")

    assert output.splitlines()[-1] == "1 reminder would be sent, 0 failed, 0 already sent; 1 authorization checked."
    assert mailoutbox == []
    assert not ReminderDelivery.objects.exists()
    assert not StoreEvent.objects.filter(kind=StoreEvent.Kind.REMINDER_SENT).exists()


def test_verify_authorizations_runs_each_due_one_and_plans_the_next(db, amazon_http, no_sleep):
    ok = _authorization("A2VERIFYOK0001")
    throttled = _authorization("A2THROTTLED001")
    _authorization("A2NOTDUEYET001", verify_after=timezone.now() + timedelta(hours=3))
    _authorization("A2REVOKED00001", state=AuthorizationState.REVOKED)
    _amazon_answers(amazon_http, throttle_second=True)

    output = _run("verify_authorizations")
    again = _run("verify_authorizations")

    assert output.splitlines() == [
        f"Authorization {ok.pk}: ok",
        f"Authorization {throttled.pk}: retry (spapi_http_429)",
        "2 verifications queued, 1 ok, 1 retry; 2 authorizations due.",
    ]
    assert again.splitlines() == ["0 verifications queued; 0 authorizations due."]
    throttled.refresh_from_db()
    assert throttled.state == AuthorizationState.ACTIVE
    assert no_sleep == []


def test_verify_authorizations_dry_run_asks_amazon_nothing_and_writes_nothing(db, amazon_http):
    authorization = _authorization("A2VERIFYOK0001")

    output = _run("verify_authorizations", "--dry-run")

    assert output.splitlines() == [
        f"Authorization {authorization.pk}: a verification would be queued",
        "1 verification would be queued; 1 authorization due.",
    ]
    assert len(amazon_http.calls) == 0
    authorization.refresh_from_db()
    assert (authorization.last_verified_at, authorization.verify_after) == (None, None)
    assert not StoreEvent.objects.filter(kind=StoreEvent.Kind.VERIFIED).exists()
    _amazon_answers(amazon_http)
    assert _run("verify_authorizations").splitlines()[-1].startswith("1 verification queued, 1 ok")


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_job_queues_once_and_a_worker_runs_the_tasks(settings, amazon_http):
    settings.TASKS = DATABASE_BACKEND
    from django_tasks_db.models import DBTaskResult

    first = _authorization("A2QUEUED000001")
    second = _authorization("A2QUEUED000002")
    _amazon_answers(amazon_http)
    amazon_http.get(amazon.participations_url(), json=amazon.participations("US"))

    queued = _run("verify_authorizations")
    while_waiting = _run("verify_authorizations")  # cron again, or another host, before a worker ran them

    assert queued.splitlines() == [
        f"Authorization {first.pk}: queued",
        f"Authorization {second.pk}: queued",
        "2 verifications queued; 2 authorizations due.",
    ]
    assert while_waiting.splitlines() == ["0 verifications queued, 2 already queued; 2 authorizations due."]
    assert len(amazon_http.calls) == 0
    assert DBTaskResult.objects.count() == 2

    call_command("db_worker", batch=True, no_startup_delay=True, reload=False, interval=0, stdout=StringIO())

    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert SellerAuthorization.objects.filter(last_verified_at__isnull=False).count() == 2
    assert _run("verify_authorizations").splitlines() == ["0 verifications queued; 0 authorizations due."]


def _manage(*args, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
    environment |= {"ASC_ENV_FILE": os.devnull, "DEBUG": "true", **env}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )


def test_tasks_run_in_process_by_default_and_on_the_database_queue_when_configured():
    show = "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])"

    assert (
        _manage("shell", "--no-imports", "-c", show).stdout.strip()
        == "django.tasks.backends.immediate.ImmediateBackend"
    )
    assert (
        _manage("shell", "--no-imports", "-c", show, TASKS_BACKEND="database").stdout.strip()
        == "django_tasks_db.DatabaseBackend"
    )
    wrong = _manage("check", TASKS_BACKEND="celery")
    assert wrong.returncode != 0
    assert "TASKS_BACKEND must be one of immediate, database, not 'celery'." in wrong.stderr

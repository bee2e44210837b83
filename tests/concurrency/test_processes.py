"""
Concurrency across processes on PostgreSQL: callbacks, a renewal racing a refresh, the reminder job, the workers.

Each test starts real processes (spawned Python processes, or `manage.py` commands) on the test database, as
several gunicorn workers, cron hosts or task workers would run. Amazon and the mail server are stubs in this
process on 127.0.0.1 (tests/concurrency/stubs.py); the processes reach them over plain http, which the
application allows only with DEBUG and the sandbox on, so the processes run with both.
"""

import contextlib
import html
import multiprocessing
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from importlib import import_module
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sellerauth.models import (
    AuthorizationRequest,
    DeliveryStatus,
    ReminderDelivery,
    SellerAuthorization,
    StoreConnection,
)
from sellerauth.token_vault import token_decrypt
from stores.models import StoreEvent
from tests import amazon_payloads as amazon
from tests.concurrency import children
from tests.concurrency.stubs import WAIT, AmazonStub, SmtpStub
from tests.factories import AmazonStoreFactory
from tests.sellerauth.authorizations import authorization_create, store_link

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SPAWN = multiprocessing.get_context("spawn")
BASE_DIR = settings.BASE_DIR


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _environment(**extra: str) -> dict[str, str]:
    """Return the settings of a process working on this test's database with this process's keys."""
    return {
        "DJANGO_SETTINGS_MODULE": "asc_project.settings",
        "DATABASE_URL": _database_url(),
        "DEBUG": "true",  # the stubs speak plain http: allowed only to the sandbox with DEBUG on
        "AMAZON_SANDBOX": "true",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions this process signs in
        "ASC_TOKEN_KEYS": ",".join(settings.ASC_TOKEN_KEYS),  # the refresh tokens this process encrypts
        "TIME_ZONE": settings.TIME_ZONE,
        "ALLOWED_HOSTS": "testserver",
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": "consolemail://",
        "TASKS_BACKEND": "immediate",
        "LOG_LEVEL": "WARNING",
        "AMAZON_READ_TIMEOUT": str(2 * WAIT),  # longer than any stub holds an answer back
        **extra,
    }


@pytest.fixture
def spawn():
    """Start a spawned Python process running a function of tests/concurrency/children.py; stop it after the test."""
    started = []

    def start(target, *args):
        process = SPAWN.Process(target=target, args=args, daemon=True)
        process.start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.join(timeout=WAIT)
        if process.is_alive():
            process.kill()
            process.join()


@pytest.fixture
def manage():
    """Start `manage.py` commands as cron or a supervisor would; stop those still running after the test."""
    started = []

    def start(*arguments: str, environment: dict[str, str]) -> subprocess.Popen:
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and manage.py)
            [sys.executable, "manage.py", *arguments],
            cwd=BASE_DIR,
            env={**os.environ, **environment},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


def _finished(process: subprocess.Popen) -> str:
    """Wait for a command; return its output after checking it succeeded."""
    out, err = process.communicate(timeout=3 * WAIT)
    assert process.returncode == 0, f"{process.args} exited with {process.returncode}:\n{out}\n{err}"
    return out


def _tokens(access: str, refresh: str = "") -> dict:
    return amazon.token_response(access_token=access, refresh_token=refresh or None)


def _session_copies(session_key: str, count: int) -> list[str]:
    """Save `count` copies of a browser session (its user and connect binding); return their keys."""
    engine = import_module(settings.SESSION_ENGINE)
    data = engine.SessionStore(session_key=session_key).load()
    keys = []
    for _ in range(count):
        copy = engine.SessionStore()
        copy.update(data)
        copy.save()
        keys.append(copy.session_key)
    return keys


def _no_errors(answers: list[dict]) -> None:
    failures = [answer["error"] for answer in answers if "error" in answer]
    assert not failures, "\n".join(failures)


# Simultaneous callbacks with one state ----------------------------------------------------------------

CALLBACKS = 4


def test_simultaneous_callbacks_with_one_state_from_several_processes_exchange_the_code_once(
    manager, amazon_endpoints, spawn
):
    store = AmazonStoreFactory(marketplace="US")
    browser = Client()
    browser.force_login(manager)
    consent = browser.post(reverse("sellerauth:connect", args=[store.pk]))
    query = {
        "state": parse_qs(urlsplit(consent.url).query)["state"][0],
        "spapi_oauth_code": amazon.CODE,
        "selling_partner_id": amazon.SELLER,
    }
    # Each process gets its own copy of the browser's session (the same user and connect binding), so that each
    # reads the page of its own answer: with one session, the outcomes would overwrite each other there.
    sessions = _session_copies(browser.session.session_key, CALLBACKS)
    exchanged = threading.Event()
    with AmazonStub() as stub:

        def lwa(form):
            exchanged.wait(WAIT)  # the code exchange is in flight while the other callbacks arrive
            return 200, _tokens(amazon.ACCESS_TOKEN, amazon.REFRESH_TOKEN)

        stub.lwa = lwa
        stub.spapi = lambda token: (200, amazon.participations("US"))
        barrier, results = SPAWN.Barrier(CALLBACKS), SPAWN.Queue()
        environment = _environment(**stub.environment())
        for key in sessions:
            spawn(children.callback_visit, environment, key, query, barrier, results)
        answers = [results.get(timeout=3 * WAIT) for _ in range(CALLBACKS - 1)]
        exchanged.set()
        answers.append(results.get(timeout=3 * WAIT))

    _no_errors(answers)
    assert len({answer["pid"] for answer in answers}) == CALLBACKS
    assert [(answer["callback"], answer["result"]) for answer in answers] == [(303, 200)] * CALLBACKS
    pages = [html.unescape(answer["page"]) for answer in answers]
    # The three that did not win were answered while the winner's code exchange was still in flight.
    assert all("This answer from Amazon was already used." in page for page in pages[:-1])
    assert f"“{store.name}” is connected to Amazon seller {amazon.SELLER}." in pages[-1]
    assert stub.calls_of("authorization_code") == [amazon.CODE]
    assert SellerAuthorization.objects.get().selling_partner_id == amazon.SELLER
    assert StoreConnection.objects.get().store == store
    assert AuthorizationRequest.objects.get().consumed_at is not None
    assert StoreEvent.objects.filter(store=store, kind=StoreEvent.Kind.CONNECTED).count() == 1


# A renewal racing a refresh -----------------------------------------------------------------------------

OLD_REFRESH, OLD_ACCESS = "Atzr|IwEBIA-old-grant-refresh", "Atza|IwEBIA-old-grant-access"
NEW_REFRESH, NEW_ACCESS = "Atzr|IwEBIA-renewal-refresh", "Atza|IwEBIA-renewal-access"
NEWER_ACCESS = "Atza|IwEBIA-renewal-grant-refreshed"


def _lock_waiters() -> int:
    """Return how many other sessions on the test database are waiting for a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_a_renewal_racing_a_refresh_in_another_process_leaves_the_renewals_tokens(
    auth_staff, amazon_endpoints, spawn, tmp_path
):
    """Newest wins: the stored refresh token is the renewal's, and so is the cached access token.

    The refresh (process one) holds the old grant's refresh token at LWA while the renewal (process two) comes
    back from Seller Central. Whatever the refresh then gets from LWA must not outlive the renewal: afterwards
    every process reads the renewal's access token from the shared cache, and a refresh uses the new grant.
    """
    authorization = authorization_create(
        seller=amazon.SELLER, store_name="Northwind Outfitters", age_days=340, token=OLD_REFRESH
    )
    store_link(authorization, name="Northwind US")
    staff = Client()
    staff.force_login(auth_staff)
    consent = staff.post(reverse("sellerauth:renew", args=[authorization.pk]))
    query = {
        "state": parse_qs(urlsplit(consent.url).query)["state"][0],
        "spapi_oauth_code": amazon.CODE,
        "selling_partner_id": amazon.SELLER,
    }
    refreshing, refresh_answer = threading.Event(), threading.Event()
    with AmazonStub() as stub:

        def lwa(form):
            if form["grant_type"] == "authorization_code":
                return 200, _tokens(NEW_ACCESS, NEW_REFRESH)
            if form["refresh_token"] == OLD_REFRESH:
                refreshing.set()
                refresh_answer.wait(WAIT)
                return 200, _tokens(OLD_ACCESS)
            if form["refresh_token"] == NEW_REFRESH:
                return 200, _tokens(NEWER_ACCESS)
            return 400, amazon.lwa_error("invalid_grant")

        stub.lwa = lwa
        stub.spapi = lambda token: (
            (200, amazon.participations("US", store_name="Northwind Outfitters")) if token == NEW_ACCESS else (403, {})
        )
        cache_dir = tmp_path / "cache"
        # A cache every process shares, as CACHE_URL=redis://… gives a deployment.
        environment = _environment(**stub.environment(), CACHE_URL=f"filecache://{cache_dir}")
        go, renewed = SPAWN.Event(), SPAWN.Event()
        refresher, renewer = SPAWN.Queue(), SPAWN.Queue()
        spawn(children.access_token_then_again, environment, authorization.pk, renewed, refresher)
        spawn(children.callback_visit, environment, staff.session.session_key, query, go, renewer)
        assert refreshing.wait(3 * WAIT), "the refresh never reached LWA"
        go.set()
        # Hold the refresh's answer until the renewal waits for the authorization's row, or has finished.
        renewal, blocked, deadline = None, 0, time.monotonic() + WAIT
        while renewal is None and not blocked and time.monotonic() < deadline:
            blocked = _lock_waiters()
            with contextlib.suppress(queue.Empty):
                renewal = renewer.get(timeout=0.1)
        refresh_answer.set()
        during = refresher.get(timeout=3 * WAIT)
        renewal = renewal or renewer.get(timeout=3 * WAIT)
        cached_after_both = FileBasedCache(str(cache_dir), {}).get(f"sellerauth:access-token:{authorization.pk}")
        renewed.set()
        after = refresher.get(timeout=3 * WAIT)

    _no_errors([during, renewal, after])
    assert blocked or renewal, "the renewal neither waited for the refresh nor finished during it"
    assert (renewal["callback"], renewal["result"]) == (303, 200)
    assert f"The authorization of seller {amazon.SELLER} is renewed until" in html.unescape(renewal["page"])
    assert during["token"] == OLD_ACCESS  # valid when it was handed out: the old grant was still current
    authorization.refresh_from_db()
    assert token_decrypt(authorization.refresh_token_encrypted) == NEW_REFRESH
    assert authorization.expires_at > timezone.now() + timedelta(days=364)
    assert cached_after_both == NEW_ACCESS
    assert (after["cached"], after["refreshed"]) == (NEW_ACCESS, NEWER_ACCESS)
    assert stub.calls_of("refresh_token") == [OLD_REFRESH, NEW_REFRESH]
    assert stub.calls_of("authorization_code") == [amazon.CODE]


# Two reminder runs at the same time ---------------------------------------------------------------------

REMINDERS = 8


def test_two_reminder_runs_at_the_same_time_send_each_reminder_once(manage):
    contacts = []
    for number in range(REMINDERS + 1):
        # 351 days into its year: the 14-day reminder is due today.
        authorization = authorization_create(seller=f"A2PROC{number:08d}", store_name=f"Seller {number}", age_days=351)
        store = AmazonStoreFactory(name=f"Reminded store {number}", contact_email=f"contact{number}@example.com")
        StoreConnection.objects.create(store=store, authorization=authorization)
        contacts.append(store.contact_email)
    retried = authorization  # its reminder failed in an earlier run: both runs try to claim it again
    ReminderDelivery.objects.create(
        authorization=retried,
        kind="reminder",
        expires_on=timezone.localdate(retried.expires_at),
        offset_days=14,
        status=DeliveryStatus.FAILED,
        attempts=1,
    )

    # Each run's first e-mail is answered only once the other run has a mail session open too.
    with SmtpStub(hold_first=True, wait=8) as smtp:
        environment = _environment(EMAIL_URL=smtp.url)
        runs = [manage("send_reauthorization_reminders", environment=environment) for _ in range(2)]
        outputs = [_finished(run) for run in runs]

    assert smtp.most_in_flight == 2
    assert sorted(smtp.messages) == sorted([contact] for contact in contacts)
    sent = [int(re.search(r"(\d+) reminders? sent", output).group(1)) for output in outputs]
    assert sum(sent) == REMINDERS + 1
    assert min(sent) >= 1
    rows = ReminderDelivery.objects.all()
    assert rows.count() == REMINDERS + 1
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert Counter(rows.values_list("attempts", flat=True)) == {1: REMINDERS, 2: 1}
    assert rows.get(authorization=retried).attempts == 2


# Two verify workers -------------------------------------------------------------------------------------

VERIFICATIONS = 10


def test_two_task_workers_verify_each_authorization_once(manage):
    authorizations = []
    for number in range(VERIFICATIONS):
        authorization = authorization_create(
            seller=f"A2VERIFY{number:06d}", store_name=f"Seller {number}", token=f"Atzr|verify-{number}"
        )
        store_link(authorization, name=f"Verified store {number}")
        authorizations.append(authorization)

    with AmazonStub() as stub:

        def lwa(form):
            stub.wait_for_company()  # the first refresh is answered once the other worker calls Amazon too
            time.sleep(0.05)  # a remote server's answer time, so that the workers' tasks overlap
            return 200, _tokens(form["refresh_token"].replace("Atzr|", "Atza|"))

        stub.lwa = lwa
        stub.spapi = lambda token: (200, amazon.participations("US", store_name=f"Seller {token.split('-')[-1]}"))
        environment = _environment(**stub.environment(), TASKS_BACKEND="database")
        queued = _finished(manage("verify_authorizations", environment=environment))
        assert f"{VERIFICATIONS} verifications queued" in queued
        worker = ["db_worker", "--batch", "--no-reload", "--no-startup-delay"]
        workers = [manage(*worker, environment=environment) for _ in range(2)]
        for process in workers:
            _finished(process)

    assert stub.most_in_flight >= 2
    assert Counter(stub.calls_of("refresh_token")) == {f"Atzr|verify-{n}": 1 for n in range(VERIFICATIONS)}
    assert Counter(stub.calls_of("participations")) == {f"Atza|verify-{n}": 1 for n in range(VERIFICATIONS)}
    tasks = list(DBTaskResult.objects.all())
    assert len(tasks) == VERIFICATIONS
    assert {task.status for task in tasks} == {"SUCCESSFUL"}
    assert [task.return_value["outcome"] for task in tasks] == ["ok"] * VERIFICATIONS
    assert all(len(task.worker_ids) == 1 for task in tasks)
    assert len({task.worker_ids[0] for task in tasks}) == 2  # both workers ran some
    for authorization in authorizations:
        authorization.refresh_from_db()
        assert authorization.last_verified_at is not None
        assert authorization.verify_after is not None
        store = authorization.connections.get().store
        assert StoreEvent.objects.filter(store=store, kind=StoreEvent.Kind.VERIFIED).count() == 1


# Two consents of one seller at once ----------------------------------------------------------------------

FIRST_CODE, SECOND_CODE = "ANfirstconsent000001", "ANsecondconsent00002"
FIRST_REFRESH, SECOND_REFRESH = "Atzr|IwEBIA-first-consent", "Atzr|IwEBIA-second-consent"


@pytest.fixture
def shared_cache_url():
    """A Redis database for the processes of a test to share, emptied before and after; skipped without Redis."""
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"No Redis at {url}: the consent lock across processes needs a shared cache.")
        pytest.skip(f"needs Redis at {url} (TEST_REDIS_URL)")
    yield url
    client.flushdb()


def test_two_consents_of_one_seller_in_two_processes_are_exchanged_one_after_the_other(
    manager, amazon_endpoints, spawn, shared_cache_url
):
    """Amazon may end a seller's earlier refresh tokens at each new consent: only the last one issued is safe.

    While the first consent's code is at Amazon, the second consent's waits: the exchanges never overlap, so the
    token saved last is the token Amazon issued last, however slowly the first exchange answers.
    """
    authorization = authorization_create(seller=amazon.SELLER, store_name="Northwind Outfitters", token=OLD_REFRESH)
    first_store = store_link(authorization, name="Northwind US")
    second_store = store_link(authorization, name="Northwind US 2")
    browser = Client()
    browser.force_login(manager)
    states = [
        parse_qs(urlsplit(browser.post(reverse("sellerauth:connect", args=[store.pk])).url).query)["state"][0]
        for store in (first_store, second_store)
    ]
    sessions = _session_copies(browser.session.session_key, 2)
    first_at_amazon, release_first = threading.Event(), threading.Event()
    with AmazonStub() as stub:

        def lwa(form):
            if form["code"] == FIRST_CODE:
                first_at_amazon.set()
                release_first.wait(WAIT)  # Amazon answers the first exchange slowly
                return 200, _tokens("Atza|first", FIRST_REFRESH)
            return 200, _tokens("Atza|second", SECOND_REFRESH)

        stub.lwa = lwa
        stub.spapi = lambda token: (200, amazon.participations("US", store_name="Northwind Outfitters"))
        environment = _environment(**stub.environment(), CACHE_URL=shared_cache_url)
        go_first, go_second, results = SPAWN.Event(), SPAWN.Event(), SPAWN.Queue()
        for session, state, go in zip(sessions, states, (go_first, go_second), strict=True):
            query = {"state": state, "selling_partner_id": amazon.SELLER}
            query["spapi_oauth_code"] = FIRST_CODE if go is go_first else SECOND_CODE
            spawn(children.callback_visit, environment, session, query, go, results)
        go_first.set()
        assert first_at_amazon.wait(3 * WAIT)
        go_second.set()
        time.sleep(2)  # the second callback has arrived and waits for the first
        waited = stub.calls_of("authorization_code")
        release_first.set()
        answers = [results.get(timeout=3 * WAIT), results.get(timeout=3 * WAIT)]

    _no_errors(answers)
    assert waited == [FIRST_CODE]  # the second code stayed here while the first was at Amazon
    assert stub.calls_of("authorization_code") == [FIRST_CODE, SECOND_CODE]
    authorization.refresh_from_db()
    assert token_decrypt(authorization.refresh_token_encrypted) == SECOND_REFRESH

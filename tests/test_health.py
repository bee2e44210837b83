"""/healthz: what a load balancer asks before it sends a process traffic."""

import json
import logging
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client
from django.urls import reverse

from asc_project import health

HEALTHY = {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "cache": "ok"}}


@pytest.fixture(autouse=True)
def _fresh_process(monkeypatch):
    # Each test starts as a new process does: migrations not yet seen applied.
    monkeypatch.setattr(health, "_migrated", set())


def _healthz(client, method="get"):
    response = getattr(client, method)(reverse("healthz"))
    return response, json.loads(response.content) if response.content else None


def _unapply_latest_stores_migration():
    recorder = MigrationRecorder(connection)
    latest = max(name for app, name in recorder.applied_migrations() if app == "stores")
    recorder.record_unapplied("stores", latest)
    return recorder, latest


def test_a_healthy_site_answers_200_to_anyone_without_caching(client, db):
    response, body = _healthz(client)

    assert response.status_code == 200
    assert body == HEALTHY
    assert response.headers["Content-Type"] == "application/json"
    assert "no-store" in response.headers["Cache-Control"]
    # Anonymous, as a load balancer is, while the rest of the site needs a sign-in.
    assert client.get(reverse("stores:home")).status_code == 302


def test_head_is_answered_and_other_methods_are_refused_without_a_csrf_page(db):
    client = Client(enforce_csrf_checks=True)

    assert client.head(reverse("healthz")).status_code == 200
    for method in ("post", "put", "delete"):
        assert getattr(client, method)(reverse("healthz")).status_code == 405, method


def test_the_database_down_answers_503_and_says_so_without_the_error(client, db, caplog):
    failure = OperationalError('connection to server at "db.internal" failed: sentinel-db-error-4f1c')

    with mock.patch.object(connection, "cursor", side_effect=failure), caplog.at_level(logging.WARNING):
        response, body = _healthz(client)

    assert response.status_code == 503
    assert body == {"status": "error", "checks": {"database": "error", "migrations": "skipped", "cache": "ok"}}
    assert "sentinel-db-error-4f1c" not in response.content.decode()
    assert "db.internal" not in response.content.decode()
    assert "Health check database failed: OperationalError" in caplog.text  # operators learn why from the log


@pytest.mark.parametrize(
    "backend",
    [
        # Unreachable: every call raises.
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
        # Reachable but keeps nothing.
        {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    ],
    ids=["unreachable-redis", "dummy"],
)
def test_a_failing_cache_answers_503(client, db, settings, backend):
    settings.CACHES = {**settings.CACHES, "default": backend}

    response, body = _healthz(client)

    assert response.status_code == 503
    assert body == {"status": "error", "checks": {"database": "ok", "migrations": "ok", "cache": "error"}}
    assert "127.0.0.1:1" not in response.content.decode()
    assert "redis" not in response.content.decode().lower()


def test_an_unapplied_migration_answers_503_until_it_is_applied(client, db):
    recorder, latest = _unapply_latest_stores_migration()

    response, body = _healthz(client)

    assert response.status_code == 503
    assert body == {"status": "error", "checks": {"database": "ok", "migrations": "error", "cache": "ok"}}
    # A failure is not remembered: the next request looks again.
    recorder.record_applied("stores", latest)
    assert _healthz(client)[1] == HEALTHY


def test_migrations_are_read_once_per_process_after_they_were_all_applied(client, db, django_assert_num_queries):
    assert _healthz(client)[1] == HEALTHY

    # Then only the trivial query runs: no migration graph, no django_migrations table.
    with django_assert_num_queries(1):
        _, body = _healthz(client)

    assert body == HEALTHY


def test_the_answer_holds_no_setting_value(client, db):
    response, _ = _healthz(client)

    text = response.content.decode()
    for value in (settings.SECRET_KEY, str(settings.DATABASES["default"]["NAME"]), *settings.ASC_TOKEN_KEYS):
        assert value not in text
    assert set(json.loads(text)) == {"status", "checks"}

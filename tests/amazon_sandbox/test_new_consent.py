"""Whether a new consent ends the seller's earlier refresh tokens: undocumented by Amazon, a sandbox setting."""

from datetime import timedelta

import pytest
import requests
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from amazon_sandbox.models import AppAuthorization, RefreshToken
from amazon_sandbox.services import REVOKED_DESCRIPTION
from amazon_sandbox.tokens import token_hash
from tests.amazon_sandbox.flow import lwa_error

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = "/sandbox/sellercentral/apps/manage"


def _refresh(sandbox, refresh_token: str) -> requests.Response:
    return sandbox.token(grant_type="refresh_token", refresh_token=refresh_token)


def test_by_default_a_new_consent_ends_the_previous_refresh_token(sandbox, settings):
    assert settings.AMAZON_SANDBOX_NEW_CONSENT_REVOKES_OLD_TOKEN is True
    first = sandbox.tokens()["refresh_token"]
    second = sandbox.tokens()["refresh_token"]

    assert lwa_error(_refresh(sandbox, first)) == (
        400,
        {"error": "invalid_grant", "error_description": REVOKED_DESCRIPTION},
    )
    assert _refresh(sandbox, second).status_code == 200
    assert RefreshToken.objects.count() == 1


def test_with_the_setting_off_earlier_refresh_tokens_keep_working(sandbox, settings):
    settings.AMAZON_SANDBOX_NEW_CONSENT_REVOKES_OLD_TOKEN = False
    first = sandbox.tokens()["refresh_token"]
    with time_machine.travel(timedelta(days=10)):
        second = sandbox.tokens()["refresh_token"]
        third = sandbox.tokens()["refresh_token"]

        statuses = [_refresh(sandbox, token).status_code for token in (first, second, third)]
        granted = AppAuthorization.objects.get().granted_at
        now = timezone.now()

    assert len({first, second, third}) == 3
    assert statuses == [200, 200, 200]
    # One grant per seller and application, dated by the newest consent.
    assert AppAuthorization.objects.count() == 1
    assert RefreshToken.objects.filter(authorization__pk=AppAuthorization.objects.get().pk).count() == 3
    assert now - granted < timedelta(minutes=1)


def test_with_the_setting_off_the_old_tokens_live_as_long_as_the_renewed_grant(sandbox, settings):
    settings.AMAZON_SANDBOX_NEW_CONSENT_REVOKES_OLD_TOKEN = False
    first = sandbox.tokens()["refresh_token"]
    with time_machine.travel(timedelta(days=300)):
        sandbox.tokens()

    with time_machine.travel(timedelta(days=400)):
        renewed = _refresh(sandbox, first)
    with time_machine.travel(timedelta(days=665, seconds=5)):
        ended = _refresh(sandbox, first)

    assert renewed.status_code == 200
    assert lwa_error(ended)[1]["error"] == "invalid_grant"


def test_with_the_setting_off_removing_the_app_ends_every_refresh_token(sandbox, settings):
    settings.AMAZON_SANDBOX_NEW_CONSENT_REVOKES_OLD_TOKEN = False
    browser = requests.Session()
    tokens = [sandbox.tokens(browser=browser)["refresh_token"] for _ in range(2)]
    grant = AppAuthorization.objects.get()

    sandbox.post(browser, f"{MANAGE}/{grant.pk}/remove", {}, form_page=MANAGE)

    assert [_refresh(sandbox, token).status_code for token in tokens] == [400, 400]
    assert not RefreshToken.objects.exists()


def test_another_sellers_consent_ends_nothing_of_the_first(sandbox):
    northwind = sandbox.tokens()["refresh_token"]
    sandbox.tokens(browser=requests.Session(), login="us-only-seller@example.com")

    assert _refresh(sandbox, northwind).status_code == 200


BEFORE = [("amazon_sandbox", "0002_demo_sellers")]
AFTER = [("amazon_sandbox", "0003_refresh_tokens_usage_buckets")]


@pytest.fixture
def migrate(sandbox_sellers):
    """Migrate the sandbox's tables to a node and return that state's models; end at the latest migration."""

    def to(nodes):
        executor = MigrationExecutor(connection)
        executor.migrate(nodes)
        return executor.loader.project_state(nodes).apps

    yield to
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("amazon_sandbox"))


def test_the_migration_keeps_each_grants_refresh_token(migrate):
    old_apps = migrate(BEFORE)
    seller = old_apps.get_model("amazon_sandbox", "SandboxSeller").objects.get(email="na-seller@example.com")
    granted = timezone.now() - timedelta(days=40)
    old_apps.get_model("amazon_sandbox", "AppAuthorization").objects.create(
        seller=seller,
        application_id="amzn1.sp.solution.sandbox-app",
        refresh_token_hash=token_hash("Atzr|old"),
        granted_at=granted,
    )

    moved = migrate(AFTER).get_model("amazon_sandbox", "RefreshToken").objects.select_related("authorization").get()

    assert moved.token_hash == token_hash("Atzr|old")
    assert moved.issued_at == granted
    assert moved.authorization.granted_at == granted


def test_the_migration_goes_back_with_the_newest_refresh_token(migrate):
    new_apps = migrate(AFTER)
    seller = new_apps.get_model("amazon_sandbox", "SandboxSeller").objects.get(email="na-seller@example.com")
    grant = new_apps.get_model("amazon_sandbox", "AppAuthorization").objects.create(
        seller=seller, application_id="amzn1.sp.solution.sandbox-app", granted_at=timezone.now()
    )
    tokens = new_apps.get_model("amazon_sandbox", "RefreshToken").objects
    tokens.create(authorization=grant, token_hash=token_hash("older"), issued_at=timezone.now() - timedelta(days=2))
    tokens.create(authorization=grant, token_hash=token_hash("newer"), issued_at=timezone.now())

    old_apps = migrate(BEFORE)

    assert old_apps.get_model("amazon_sandbox", "AppAuthorization").objects.get().refresh_token_hash == token_hash(
        "newer"
    )

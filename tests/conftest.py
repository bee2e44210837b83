import os
import secrets
import shutil

import pytest
from django.db import connection

from sellerauth.roles import roles_ensure
from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("ASC_CHROMIUM", "/usr/bin/chromium")


def pytest_configure(config):
    """Hash passwords with a fast hasher (Argon2 costs 0.1 s per login); serve static files as DEBUG does."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests run with DEBUG off, whose manifest storage needs `collectstatic` first: they serve the apps' static
    # folders instead, and tests/test_serving.py runs collectstatic and the manifest storage under gunicorn.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config, items):
    """Leave PostgreSQL-only tests out on SQLite: skipped locally, deselected in CI's SQLite pass."""
    postgres_only = [item for item in items if item.get_closest_marker("postgres")]
    if not _is_postgres() and postgres_only:
        if IN_CI:
            # CI runs the suite on PostgreSQL too: there these tests run; here they are left out, not passed.
            config.hook.pytest_deselected(items=postgres_only)
            items[:] = [item for item in items if not item.get_closest_marker("postgres")]
            config.pluginmanager.get_plugin("terminalreporter").write_line(
                f"{len(postgres_only)} PostgreSQL-only tests deselected on SQLite; they run in the PostgreSQL pass."
            )
        else:
            skip = pytest.mark.skip(reason="needs PostgreSQL (row locks); set DATABASE_URL=postgres://…")
            for item in postgres_only:
                item.add_marker(skip)


def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") and not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"no Chromium at {CHROMIUM}: browser tests cannot run"
        if IN_CI:
            pytest.fail(message + " (CI installs Debian's chromium; a browser test that cannot run fails there)")
        pytest.skip(message + "; install Debian's chromium to run them")


def _group_user(group_name, **kwargs):
    # Transactional tests (the browser's) empty the tables, groups included: make sure they exist.
    user = UserFactory(**kwargs)
    user.groups.add(roles_ensure()[group_name])
    return user


@pytest.fixture
def viewer(db):
    return _group_user("Amazon channel viewers", username="viewer")


@pytest.fixture
def manager(db):
    return _group_user("Amazon channel managers", username="manager")


@pytest.fixture
def auth_staff(db):
    return _group_user("Amazon authorization staff", username="authstaff")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def staff_client(client, auth_staff):
    client.force_login(auth_staff)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def amazon_endpoints(settings):
    """Amazon's own https endpoints, as a deployment sets them; unit tests mock them at the HTTP boundary."""
    settings.AMAZON_LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
    settings.AMAZON_SPAPI_ENDPOINTS = {
        r: f"https://sellingpartnerapi-{r.lower()}.amazon.com" for r in ("NA", "EU", "FE")
    }
    settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL = ""  # the marketplace table's Seller Central


@pytest.fixture
def live_sandbox(live_server, settings, transactional_db):
    """Point the application at the embedded sandbox on the live server, as configuration would."""
    from amazon_sandbox.demo import sandbox_sellers_ensure

    sandbox_sellers_ensure()  # transactional tests empty the tables the data migration filled
    # The sandbox over plain http is a development set-up: the application allows that only with DEBUG on.
    settings.DEBUG = True
    url = live_server.url
    settings.AMAZON_REDIRECT_URI = f"{url}/amazon/callback/"
    # The sandbox keeps its own registration, as Seller Central does: register the same live-server URIs there.
    settings.AMAZON_SANDBOX_APPLICATION = {
        **settings.AMAZON_SANDBOX_APPLICATION,
        "REDIRECT_URIS": [settings.AMAZON_REDIRECT_URI],
        "LOGIN_URI": f"{url}/amazon/login/",
    }
    settings.AMAZON_LWA_TOKEN_URL = f"{url}/sandbox/lwa/auth/o2/token"
    settings.AMAZON_SPAPI_ENDPOINTS = {region: f"{url}/sandbox/spapi/{region.lower()}" for region in ("NA", "EU", "FE")}
    settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL = f"{url}/sandbox/sellercentral"
    return url


@pytest.fixture
def permissions_version(transactional_db):
    """The permissions version row its migration creates, which an earlier transactional test's flush removed."""
    from asc_project.models import PermissionsVersion

    PermissionsVersion.objects.get_or_create(pk=1, defaults={"version": secrets.randbits(62)})

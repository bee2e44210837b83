import pytest

from amazon_sandbox.demo import sandbox_sellers_ensure
from tests.amazon_sandbox.flow import Sandbox, registration_change


@pytest.fixture
def sandbox_sellers(transactional_db):
    # Transactional tests empty the tables, so the sellers of the data migration may be gone: make them again.
    return {seller.email: seller for seller in sandbox_sellers_ensure()}


@pytest.fixture
def sandbox(live_server, settings, sandbox_sellers):
    """Return the sandbox over real HTTP, its registered application's redirect URI on the live server."""
    registration_change(settings, REDIRECT_URIS=[f"{live_server.url}/amazon/callback/"])
    return Sandbox(live_server.url)

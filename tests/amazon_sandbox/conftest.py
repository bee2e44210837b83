import pytest

from amazon_sandbox.demo import sandbox_sellers_ensure
from tests.amazon_sandbox.flow import Sandbox


@pytest.fixture
def sandbox_sellers(transactional_db):
    # Transactional tests empty the tables, so the sellers of the data migration may be gone: make them again.
    return {seller.email: seller for seller in sandbox_sellers_ensure()}


@pytest.fixture
def sandbox(live_server, settings, sandbox_sellers):
    """Return the sandbox over real HTTP, with the application's redirect URI on the live server."""
    settings.AMAZON_REDIRECT_URI = f"{live_server.url}/amazon/callback/"
    return Sandbox(live_server.url)

"""What settings.py computes for sellerauth, read in a fresh process: settings are made once, at import."""

import json
import os
import subprocess
import sys
from pathlib import Path

from stores.marketplaces import MARKETPLACES

ROOT = Path(__file__).resolve().parents[2]
# Read the CSP before any app is loaded, then again once they all are, and send a page.
SCRIPT = """
import copy, json
from django.conf import settings
before = copy.deepcopy(settings.SECURE_CSP)
import django
django.setup()
from django.test import Client
response = Client().get("/accounts/login/", headers={"host": "localhost"})
print(json.dumps({"before": before, "after": settings.SECURE_CSP, "header": response["Content-Security-Policy"]}))
"""


def _csp(**env) -> dict:
    # Only what the test sets, not the developer's .env.
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("AMAZON_", "DJANGO_"))}
    environment |= {"ASC_ENV_FILE": os.devnull, "DJANGO_SETTINGS_MODULE": "asc_project.settings", "DEBUG": "true"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=environment | env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def _form_action(header: str) -> list[str]:
    """Return the sources of the header's form-action directive."""
    directives = [directive.split() for directive in header.split(";")]
    [sources] = [directive[1:] for directive in directives if directive and directive[0] == "form-action"]
    return sources


def test_with_amazon_the_connect_form_may_go_to_every_seller_central_and_nothing_changes_it_later():
    csp = _csp(AMAZON_SANDBOX="false", AMAZON_SELLER_CENTRAL_URLS="GB=https://sellercentral.amazon.co.uk/")

    form_action = csp["before"]["form-action"]
    assert form_action[0] == "'self'"
    # Seller Central of every marketplace and override, and amazon.com, where the Log-in URI's form may lead too.
    assert set(form_action[1:]) == {m.seller_central_url for m in MARKETPLACES.values()} | {
        "https://sellercentral.amazon.co.uk",
        "https://amazon.com",
    }
    assert len(form_action) == len(set(form_action))
    assert {"https://sellercentral.amazon.com", "https://sellercentral-europe.amazon.com"} <= set(form_action)
    assert csp["after"] == csp["before"]  # loading the apps leaves the settings as settings.py made them
    assert _form_action(csp["header"]) == form_action


def test_with_the_sandbox_forms_go_only_to_this_site():
    csp = _csp(AMAZON_SANDBOX="true")

    assert csp["before"]["form-action"] == csp["after"]["form-action"] == ["'self'"]
    assert _form_action(csp["header"]) == ["'self'"]

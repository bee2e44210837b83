"""Project-wide promises: settings checks, security headers, static assets and templates."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.urls import reverse

from stores.marketplaces import MARKETPLACES, marketplaces_enabled

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    # Production-like: only what the test passes, not the developer's .env.
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment |= {"ASC_ENV_FILE": os.devnull, **env}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )


def _templates():
    """Yield every template of the project: the project's folder and each app's own."""
    yield from (ROOT / "templates").rglob("*.html")
    yield from ROOT.glob("*/templates/**/*.html")


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="p" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="asc.example.com",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.com:587",
        ASC_TOKEN_KEYS="x" * 43 + "=",
        CACHE_URL="redis://127.0.0.1:6379/0",
        SPAPI_APPLICATION_ID="amzn1.sp.solution.11111111-2222-3333-4444-555555555555",
        LWA_CLIENT_ID="amzn1.application-oa2-client.0123456789abcdef",
        LWA_CLIENT_SECRET="s" * 64,
        AMAZON_REDIRECT_URI="https://asc.example.com/amazon/callback/",
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_settings_module_hashes_passwords_with_argon2_first():
    # The tests swap in a fast hasher (tests/conftest.py); the module itself must keep Argon2 first.
    import asc_project.settings as module

    assert module.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="false", SECRET_KEY="", ASC_TOKEN_KEYS="x" * 43 + "=")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_token_keys():
    result = _manage("check", DEBUG="false", SECRET_KEY="k" * 50, ASC_TOKEN_KEYS="")

    assert result.returncode != 0
    assert "Set ASC_TOKEN_KEYS" in result.stderr


def test_the_site_language_is_one_the_product_speaks():
    refused = _manage("check", DEBUG="true", SECRET_KEY="k" * 50, LANGUAGE_CODE="de")
    show = "from django.conf import settings; print(settings.LANGUAGE_CODE)"
    swedish = _manage("shell", "-c", show, DEBUG="true", SECRET_KEY="k" * 50, LANGUAGE_CODE="sv")

    assert refused.returncode != 0
    assert "LANGUAGE_CODE must be one of en, sv, not 'de'." in refused.stderr
    assert swedish.stdout.strip().splitlines()[-1] == "sv", swedish.stderr


@pytest.mark.parametrize(
    ("codes", "check_id"),
    [(["US", "UK"], "stores.E001"), (["XX"], "stores.E001"), ([], "stores.E002")],
)
def test_a_bad_marketplace_setting_is_explained(db, settings, codes, check_id):
    settings.ASC_MARKETPLACES = codes

    errors = [e for e in run_checks() if e.id.startswith("stores.")]

    assert [e.id for e in errors] == [check_id]
    assert errors[0].hint


def test_the_default_marketplaces_are_the_four_of_the_source_document():
    assert [m.code for m in marketplaces_enabled()] == ["US", "CA", "MX", "GB"]
    assert len(MARKETPLACES) == 23


def test_every_marketplace_has_a_flag():
    for marketplace in MARKETPLACES.values():
        assert (ROOT / "static" / marketplace.flag).is_file(), marketplace.code


def test_pages_send_strict_security_headers(viewer_client):
    response = viewer_client.get(reverse("stores:home"))

    csp = response.headers["Content-Security-Policy"]
    for directive in ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_script_or_style_and_no_remote_assets():
    for template in _templates():
        html = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), template
        assert "<style" not in html, template
        assert not re.search(r"\sstyle=", html), template
        assert not re.search(r"\son[a-z]+=", html), template
        assert not re.search(r"(src|href)=\"(https?:)?//", html), template


def test_autoescape_is_never_switched_off():
    for template in _templates():
        html = template.read_text()
        assert "autoescape off" not in html, template
        assert "|safe" not in html, template


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:stores_amazonstore_changelist",
        "admin:stores_storeevent_changelist",
        "admin:stores_website_changelist",
        "admin:stores_catalogattribute_changelist",
        "admin:sellerauth_sellerauthorization_changelist",
        "admin:sellerauth_storeconnection_changelist",
        "admin:sellerauth_authorizationrequest_changelist",
        "admin:amazon_sandbox_sandboxseller_changelist",
    ],
)
def test_every_model_has_a_working_admin_changelist(client, superuser, url_name):
    client.force_login(superuser)

    response = client.get(reverse(url_name), {"q": "Store"})

    assert response.status_code == 200


def test_the_admin_refuses_a_duplicate_name_with_a_message(client, superuser):
    from tests.factories import AmazonStoreFactory, WebsiteFactory

    AmazonStoreFactory(name="Amazon Store USA")
    client.force_login(superuser)

    response = client.post(
        reverse("admin:stores_amazonstore_add"),
        {
            "name": "amazon store usa",
            "website": WebsiteFactory().pk,
            "contact_email": "a@example.com",
            "marketplace": "US",
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_every_model_of_the_project_is_in_the_admin_and_its_list_loads(client, superuser):
    from django.apps import apps
    from django.contrib import admin

    client.force_login(superuser)
    for app_label in ("stores", "sellerauth", "amazon_sandbox"):
        for model in apps.get_app_config(app_label).get_models():
            assert model in admin.site._registry, model
            url = reverse(f"admin:{app_label}_{model._meta.model_name}_changelist")
            assert client.get(url, {"q": "x"}).status_code == 200, url

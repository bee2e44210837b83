import pytest
from django.core.checks import run_checks

REAL = {
    "AMAZON_SANDBOX": False,
    "SPAPI_APPLICATION_ID": "amzn1.sp.solution.11111111-2222-3333-4444-555555555555",
    "LWA_CLIENT_ID": "amzn1.application-oa2-client.0123456789abcdef",
    "LWA_CLIENT_SECRET": "secret",
    "AMAZON_REDIRECT_URI": "https://asc.example.com/amazon/callback/",
    "AMAZON_LWA_TOKEN_URL": "https://api.amazon.com/auth/o2/token",
    "AMAZON_SPAPI_ENDPOINTS": {r: f"https://sellingpartnerapi-{r.lower()}.amazon.com" for r in ("NA", "EU", "FE")},
    "AMAZON_SANDBOX_SELLER_CENTRAL_URL": "",
    "AMAZON_SELLER_CENTRAL_URLS": {},
}
SANDBOX_OVER_HTTP = {
    "AMAZON_SANDBOX": True,
    "AMAZON_LWA_TOKEN_URL": "http://127.0.0.1:8000/sandbox/lwa/auth/o2/token",
    "AMAZON_SPAPI_ENDPOINTS": {r: f"http://127.0.0.1:8000/sandbox/spapi/{r.lower()}" for r in ("NA", "EU", "FE")},
    "AMAZON_SANDBOX_SELLER_CENTRAL_URL": "http://127.0.0.1:8000/sandbox/sellercentral",
}


def _ids(settings, **overrides):
    for name, value in (REAL | overrides).items():
        setattr(settings, name, value)
    return sorted(e.id for e in run_checks() if e.id.startswith("sellerauth."))


def test_real_amazon_settings_pass(db, settings):
    assert _ids(settings) == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"SPAPI_APPLICATION_ID": "amzn1.application-oa2-client.0123456789abcdef"}, "sellerauth.E010"),
        ({"SPAPI_APPLICATION_ID": ""}, "sellerauth.E011"),
        ({"LWA_CLIENT_ID": "amzn1.sp.solution.1234"}, "sellerauth.E012"),
        ({"LWA_CLIENT_SECRET": ""}, "sellerauth.E013"),
        ({"AMAZON_REDIRECT_URI": "/amazon/callback/"}, "sellerauth.E020"),
        ({"AMAZON_REDIRECT_URI": "http://asc.example.com/amazon/callback/"}, "sellerauth.E020"),
        ({"AMAZON_REDIRECT_URI": "https://asc.example.com/amazon/callback/#x"}, "sellerauth.E021"),
        ({"AMAZON_REDIRECT_URI": "https://asc.example.com/oauth/"}, "sellerauth.W022"),
        ({"AMAZON_LWA_TOKEN_URL": "http://api.amazon.com/auth/o2/token"}, "sellerauth.E023"),
        ({"AMAZON_SPAPI_ENDPOINTS": {"NA": "http://sellingpartnerapi-na.amazon.com"}}, "sellerauth.E023"),
        ({"AMAZON_SELLER_CENTRAL_URLS": {"GB": "http://sellercentral.amazon.co.uk"}}, "sellerauth.E023"),
        ({"AMAZON_SELLER_CENTRAL_URLS": {"GB": "sellercentral.amazon.co.uk"}}, "sellerauth.E023"),
        ({"ASC_TOKEN_KEYS": ["not-a-key"]}, "sellerauth.E001"),
        ({"AMAZON_SANDBOX": True, "DEBUG": False}, "sellerauth.E002"),
    ],
)
def test_each_bad_amazon_setting_is_explained(db, settings, overrides, expected):
    assert expected in _ids(settings, **overrides)


def test_the_mixed_up_application_id_says_how_to_fix_it(db, settings):
    _ids(settings)
    settings.SPAPI_APPLICATION_ID = settings.LWA_CLIENT_ID
    [error] = [e for e in run_checks() if e.id == "sellerauth.E010"]

    assert "amzn1.sp.solution" in error.hint
    assert "LWA_CLIENT_ID" in error.hint


def test_a_sandbox_demo_without_debug_must_be_allowed_explicitly(db, settings):
    assert "sellerauth.E002" not in _ids(
        settings, AMAZON_SANDBOX=True, DEBUG=False, AMAZON_SANDBOX_ALLOWED_WITHOUT_DEBUG=True
    )


def test_the_embedded_sandbox_may_use_plain_http_only_with_debug_on(db, settings):
    assert "sellerauth.E023" not in _ids(settings, DEBUG=True, **SANDBOX_OVER_HTTP)

    ids = _ids(settings, DEBUG=False, AMAZON_SANDBOX_ALLOWED_WITHOUT_DEBUG=True, **SANDBOX_OVER_HTTP)

    assert ids.count("sellerauth.E023") == 5  # the token URL, three SP-API endpoints and Seller Central
    [error, *_] = [e for e in run_checks() if e.id == "sellerauth.E023"]
    assert "SITE_URL" in error.hint

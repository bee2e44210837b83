"""Every page of the application and of the sandbox passes an axe-core audit in Chromium, in English and Swedish."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone

from sellerauth.models import AuthorizationState, SellerAuthorization
from sellerauth.views import RESULT_KEY
from stores.models import AmazonStore
from tests.factories import AmazonStoreFactory, CatalogAttributeFactory, UserFactory, WebsiteFactory
from tests.sellerauth.authorizations import GB, authorization_create, store_link

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # The browser asks for the language (Accept-Language); LocaleMiddleware answers in it.
    pytest.mark.parametrize("language", ["en", "sv"]),
]

# What fails a page: axe-core's two upper impacts. "moderate" and "minor" are reported by axe but tolerated.
BLOCKING = {"serious", "critical"}
CONNECTED, DUE, EXPIRED, REVOKED, LOST = (
    "A1CONNECTED001",
    "A1RENEWALDUE02",
    "A1EXPIREDSEL03",
    "A1REVOKEDSEL04",
    "A1REAUTHSELL05",
)


class Audit:
    """Run axe-core on each page a test shows, and fail at the end listing every serious or critical violation."""

    def __init__(self, language: str):
        self.axe = Axe()
        self.language = language
        self.pages = []
        self.found = []

    def __call__(self, page, name: str) -> None:
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == self.language, f"{name} is not in {self.language}"
        self.pages.append(name)
        for violation in self.axe.run(page).response["violations"]:
            if violation["impact"] in BLOCKING:
                nodes = "".join(f"\n    at {' '.join(node['target'])}: {_why(node)}" for node in violation["nodes"])
                self.found.append(f"{name} [{self.language}]: {violation['id']} ({violation['impact']}) {nodes}")

    def assert_clean(self) -> None:
        assert self.pages, "no page was audited"
        assert not self.found, f"axe-core found {len(self.found)} serious or critical violations:\n" + "\n".join(
            self.found
        )


def _why(node: dict) -> str:
    """Return axe-core's first reason for a failing element (for colour contrast: the colours and the ratio)."""
    checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
    return next((check["message"] for check in checks if check.get("message")), node.get("failureSummary", ""))


@pytest.fixture
def audit(language):
    return Audit(language)


@pytest.fixture
def stores_in_every_status():
    """One store in each connection status, an inactive one, and a seller authorized in two regions."""
    now = timezone.now()
    connected = authorization_create(seller=CONNECTED, store_name="Northwind Outfitters", age_days=100)
    store_link(connected, name="Connected store")
    two_regions = authorization_create(seller=CONNECTED, store_name="Northwind UK", region="EU", marketplace_ids=[GB])
    store_link(two_regions, name="Connected store UK", marketplace="GB")
    store_link(authorization_create(seller=DUE, store_name="Due Co.", age_days=340), name="Renewal due store")
    store_link(authorization_create(seller=EXPIRED, store_name="Expired Co.", age_days=400), name="Expired store")
    revoked = authorization_create(
        seller=REVOKED, store_name="Revoked Co.", state=AuthorizationState.REVOKED, revoked_at=now
    )
    store_link(revoked, name="Revoked store")
    lost = authorization_create(
        seller=LOST,
        store_name="Lost Co.",
        state=AuthorizationState.NEEDS_REAUTHORIZATION,
        last_verified_at=now - timedelta(hours=2),
        last_verify_error="invalid_grant",
    )
    store_link(lost, name="Needs re-authorization store")
    AmazonStoreFactory(name="Not connected store", marketplace="US")
    AmazonStoreFactory(name="Inactive store", marketplace="DE", is_active=False)
    CatalogAttributeFactory(code="upc", label="UPC")


def _store_url(name: str) -> str:
    return AmazonStore.objects.get(name=name).get_absolute_url()


def _result_page(page, outcome: dict) -> None:
    """Show the result page of a connection or renewal that ended with `outcome`, as the callback leaves it."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=key)
    session[RESULT_KEY] = outcome
    session.save()
    page.goto(reverse("sellerauth:result"))


def _login_uri(live_sandbox: str, seller: str) -> str:
    confirm = f"{live_sandbox}/sandbox/sellercentral/apps/authorize/confirm/{settings.SPAPI_APPLICATION_ID}"
    query = f"amazon_callback_uri={confirm}&amazon_state=sandbox-state-1&selling_partner_id={seller}"
    return f"{reverse('sellerauth:login_uri')}?{query}"


def _open_dialog(page, opener) -> None:
    opener.click()
    page.locator("#connect-dialog[open]").wait_for()


def test_sign_in_and_lockout_pages(page, audit, settings):
    UserFactory(username="manager")
    settings.AXES_FAILURE_LIMIT = 2

    page.goto("/")
    audit(page, "sign-in")
    page.locator("#id_username").fill("manager")
    page.locator("#id_password").fill("wrong-password-1234")
    page.locator("#id_password").press("Enter")
    page.locator(".message--error").wait_for()
    audit(page, "sign-in with errors")
    page.locator("#id_password").fill("wrong-password-1234")
    page.locator("#id_password").press("Enter")
    page.locator(".login .panel h2").wait_for()
    audit(page, "sign-in locked out")
    page.goto("/")
    page.context.clear_cookies()  # no CSRF cookie: the form is refused
    with page.expect_response(lambda response: response.request.method == "POST") as refused:
        page.locator("#id_password").press("Enter")
    assert refused.value.status == 403
    audit(page, "403, form expired")
    audit.assert_clean()


def test_application_pages(page, audit, signed_in, live_sandbox, stores_in_every_status):
    # live_sandbox turns DEBUG on, under which a 404 is Django's technical page: the error pages are audited below.
    signed_in(page, UserFactory(username="root", is_superuser=True, is_staff=True))
    audit(page, "home, stores in every status")
    _open_dialog(page, page.locator("[data-store-id] a[data-opens-dialog]").first)
    audit(page, "home, connect dialog open")
    page.goto("/?status=attention&q=store")
    audit(page, "home, filtered")
    page.goto("/?marketplace=XX")
    audit(page, "home, filter errors")

    page.goto(_store_url("Connected store"))
    audit(page, "store dashboard, connected")
    page.goto(_store_url("Not connected store"))
    audit(page, "store dashboard, not connected")
    _open_dialog(page, page.locator("#amazon-connection a[data-opens-dialog]"))
    audit(page, "store dashboard, connect dialog open")
    page.goto(_store_url("Needs re-authorization store"))
    audit(page, "store dashboard, needs re-authorization")

    page.goto(reverse("sellerauth:authorizations"))
    audit(page, "authorizations")
    page.goto(f"{reverse('sellerauth:authorizations')}?status=attention&region=NA&q=co")
    audit(page, "authorizations, filtered")
    page.goto(f"{reverse('sellerauth:authorizations')}?q=nothing-like-this")
    audit(page, "authorizations, nothing found")

    due = SellerAuthorization.objects.get(selling_partner_id=DUE)
    page.goto(reverse("sellerauth:revoke", args=[due.pk]))
    audit(page, "revoke confirmation")
    page.locator("main form .button--danger").click()
    page.locator(".message--success").wait_for()
    audit(page, "store dashboard, revoked, with a message")
    page.goto(reverse("sellerauth:revoke", args=[SellerAuthorization.objects.get(selling_partner_id=REVOKED).pk]))
    audit(page, "revoke confirmation, already revoked")
    not_connected = AmazonStore.objects.get(name="Not connected store")
    page.goto(reverse("sellerauth:connect_confirm", args=[not_connected.pk]))
    audit(page, "connect confirmation")

    page.goto(_login_uri(live_sandbox, DUE))
    audit(page, "Log-in URI, renew confirmation")
    page.goto(_login_uri(live_sandbox, CONNECTED))
    audit(page, "Log-in URI, choose the region")
    page.goto(_login_uri(live_sandbox, "A1UNKNOWNSELLER"))
    audit(page, "Log-in URI, nothing to renew")
    page.goto(reverse("sellerauth:login_uri"))
    audit(page, "Log-in URI, refused")

    connected_store = AmazonStore.objects.get(name="Connected store")
    _result_page(page, {"ok": True, "store": connected_store.pk, "renewed": False})
    audit(page, "connect result, connected")
    _result_page(page, {"ok": True, "authorization": due.pk})
    audit(page, "renew result")
    page.goto(f"{reverse('sellerauth:callback')}?state=unknown-state&spapi_oauth_code=code&selling_partner_id={DUE}")
    audit(page, "connect result, failed")
    page.goto(f"{reverse('sellerauth:callback')}?state=one&state=two")
    audit(page, "callback invalid")

    page.goto(reverse("stores:pre_installation"))
    audit(page, "pre-installation tasks")
    page.goto(reverse("stores:add"))
    audit(page, "add store")
    page.locator("#id_contact_email").fill("not-an-email")
    page.locator("#id_contact_email").press("Enter")
    page.locator(".field--error").first.wait_for()
    audit(page, "add store with errors")
    audit.assert_clean()


def test_status_badges_say_their_status_in_words_and_symbols(page, signed_in, manager, stores_in_every_status):
    signed_in(page, manager)
    badges = page.locator(".store-card__badges .badge").evaluate_all(
        """badges => badges.map(badge => ({
            status: badge.className,
            text: badge.innerText.trim(),
            symbol: getComputedStyle(badge, "::before").content,
        }))"""
    )
    by_status = {badge["status"]: (badge["text"], badge["symbol"]) for badge in badges}
    assert len(by_status) == 8  # Active, Inactive and the six connection statuses
    assert all(text for text, _ in by_status.values()), by_status
    assert len({text for text, _ in by_status.values()}) == 8, "two statuses read the same"
    assert all(symbol not in ("none", "normal", "") for _, symbol in by_status.values()), by_status
    assert len({symbol for _, symbol in by_status.values()}) == 8, "two statuses have the same symbol"


def test_first_store_and_forbidden_pages(page, audit, signed_in, manager, viewer):
    WebsiteFactory(code="base", name="Main Website")
    signed_in(page, manager)
    audit(page, "home, no store yet")
    page.locator("[data-opens-dialog=pre-installation-dialog]").first.click()
    page.locator("#pre-installation-dialog[open]").wait_for()
    audit(page, "home, pre-installation dialog open")

    page.context.clear_cookies()
    signed_in(page, viewer)
    page.goto(reverse("stores:add"))
    audit(page, "403")
    page.goto("/stores/999999/")
    audit(page, "404")
    audit.assert_clean()


def test_sandbox_pages(page, audit, signed_in, live_sandbox):
    AmazonStoreFactory(name="Amazon Store USA", marketplace="US")
    signed_in(page, UserFactory(username="root", is_superuser=True, is_staff=True))
    _open_dialog(page, page.locator("[data-store-id] a[data-opens-dialog]"))
    with page.context.expect_page() as new_tab:
        page.locator("#connect-dialog [data-connect-submit]").click()
    tab = new_tab.value

    tab.locator("#id_login").wait_for()
    audit(tab, "sandbox sign-in")
    tab.locator("#id_login").fill("na-seller@example.com")
    tab.locator("#id_password").fill("not-the-password")
    tab.locator("#id_password").press("Enter")
    tab.locator(".sc-alert--error").wait_for()
    audit(tab, "sandbox sign-in with errors")
    tab.locator("#id_password").fill("sandbox")
    tab.locator("#id_password").press("Enter")
    tab.locator("#id_code").wait_for()
    audit(tab, "sandbox MFA")
    tab.locator("#id_code").fill("000000" if tab.locator("#sandbox-mfa-code").inner_text() != "000000" else "111111")
    tab.locator("#id_code").press("Enter")
    tab.locator(".sc-field--error").wait_for()
    audit(tab, "sandbox MFA with errors")
    tab.locator("#id_code").fill(tab.locator("#sandbox-mfa-code").inner_text())
    tab.locator("#id_code").press("Enter")
    tab.locator("#id_understand").wait_for()
    audit(tab, "sandbox consent")
    tab.locator("button[name=next]").click()
    tab.locator(".sc-field--error").wait_for()
    audit(tab, "sandbox consent with errors")
    tab.locator("#id_understand").check()
    tab.locator("button[name=next]").click()
    tab.locator("#done-title").wait_for()
    audit(tab, "sandbox almost done")
    tab.locator(".sc-button--primary").click()
    tab.locator("[data-connected-store]").wait_for()
    audit(tab, "connect result, connected (after Seller Central)")

    page.goto("/sandbox/sellercentral/apps/manage")
    audit(page, "sandbox Manage Your Apps")
    page.goto("/sandbox/faults/")
    audit(page, "sandbox faults")
    page.locator("#id_remaining").fill("0")
    page.locator("button[value=arm]").click()
    page.locator(".sc-field--error").first.wait_for()
    audit(page, "sandbox faults with errors")
    page.locator("#id_remaining").fill("1")
    page.locator("button[value=arm]").click()
    page.locator(".sc-alert--success").wait_for()
    audit(page, "sandbox faults, one armed")
    page.goto("/sandbox/sellers/")
    audit(page, "sandbox sellers")
    page.goto("/sandbox/sellercentral/apps/authorize/consent?application_id=unknown")
    audit(page, "sandbox error")
    audit.assert_clean()

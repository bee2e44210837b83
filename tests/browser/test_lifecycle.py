"""An authorization's year in a real browser: renew, revoke, Re-Authorize in Seller Central, an edited callback."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from sellerauth.models import AuthorizationState, SellerAuthorization, StoreConnection
from sellerauth.token_vault import token_encrypt
from tests.browser.test_connect import _consent, _sign_in
from tests.factories import AmazonStoreFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NORTHWIND, US_ONLY = "A2NASELLER0001", "A2USONLYSELL03"
US, CA, MX = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"


def _authorization(*, seller: str, store_name: str, marketplace_ids, age_days: int, stores: dict[str, str]):
    """Store a seller's authorization granted `age_days` ago (time moved forward) and link the stores to it."""
    granted = timezone.now() - timedelta(days=age_days)
    authorization = SellerAuthorization.objects.create(
        selling_partner_id=seller,
        region="NA",
        seller_store_name=store_name,
        marketplace_ids=marketplace_ids,
        refresh_token_encrypted=token_encrypt("Atzr|stored-before-the-test"),
        granted_at=granted,
        expires_at=granted + timedelta(days=365),
    )
    for name, marketplace in stores.items():
        StoreConnection.objects.create(
            store=AmazonStoreFactory(name=name, marketplace=marketplace), authorization=authorization
        )
    return authorization


@pytest.fixture
def northwind_due(live_sandbox):
    """na-seller's authorization, 340 days into its year (Renewal due), shared by a US and a Canada store."""
    return _authorization(
        seller=NORTHWIND,
        store_name="Northwind Outfitters",
        marketplace_ids=[CA, MX, US],
        age_days=340,
        stores={"Northwind US": "US", "Northwind CA": "CA"},
    )


def _dashboard(page, name: str):
    store = SellerAuthorization.objects.get().connections.get(store__name=name).store
    page.goto(store.get_absolute_url())
    return page.locator("#amazon-connection")


def _renew_in_seller_central(page, store_name: str, *, login="na-seller@example.com") -> str:
    """Press Renew authorization on the store's dashboard, consent in the new tab; return the result it shows."""
    panel = _dashboard(page, store_name)
    with page.context.expect_page() as new_tab:
        panel.get_by_role("button", name="Renew authorization").click()
    tab = new_tab.value
    tab.wait_for_load_state()
    _sign_in(tab, login)
    _consent(tab)
    expect(tab.get_by_role("heading", level=1)).to_have_text("Authorization renewed")
    # Read now: the result tab closes itself a moment later, once it has told the application's other tabs,
    # whose dashboard then shows the renewal by itself.
    result = tab.locator(".connect-result").inner_text()
    expect(panel).to_contain_text("Connected")
    return result


def _expiry_text(authorization) -> str:
    return dateformat.format(timezone.localtime(authorization.expires_at), "M j, Y")


def test_a_due_authorization_renewed_by_staff_shows_the_new_expiry_on_every_store(
    page, sign_in, auth_staff, northwind_due
):
    sign_in(page, auth_staff)
    panel = _dashboard(page, "Northwind US")
    expect(panel).to_contain_text("Renewal due")
    expect(panel).to_contain_text("25 days left")

    result = _renew_in_seller_central(page, "Northwind US")

    renewed = SellerAuthorization.objects.get()
    assert f"The authorization of seller {NORTHWIND} is renewed until {_expiry_text(renewed)}" in result
    assert "Northwind US" in result
    assert "Northwind CA" in result
    assert renewed.state == AuthorizationState.ACTIVE
    assert renewed.expires_at - timezone.now() > timedelta(days=364)
    for name in ("Northwind US", "Northwind CA"):
        panel = _dashboard(page, name)
        expect(panel).to_contain_text("Connected")
        expect(panel).to_contain_text(_expiry_text(renewed))
        expect(panel).to_contain_text("365 days left")
        expect(page.locator("table")).to_contain_text("Authorization renewed")
    page.goto(reverse("sellerauth:authorizations"))
    row = page.locator(f"#authorization-{renewed.pk}")
    expect(row).to_contain_text(_expiry_text(renewed))
    expect(row).to_contain_text("Connected")
    assert page.console_errors == []


def test_revoke_shows_revoked_on_every_store_sharing_the_authorization(page, sign_in, auth_staff, northwind_due):
    sign_in(page, auth_staff)
    _dashboard(page, "Northwind CA").get_by_role("link", name="Revoke authorization").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Revoke the authorization of seller {NORTHWIND}")
    expect(page.locator("main")).to_contain_text("Northwind US")
    expect(page.locator("main")).to_contain_text("Northwind CA")
    page.get_by_role("button", name="Revoke authorization").click()

    message = page.locator(".message--success")
    expect(message).to_contain_text(f"You revoked the authorization of seller {NORTHWIND}")
    manage = message.get_by_role("link", name="Seller Central's Manage Your Apps")
    expect(manage).to_have_attribute("href", re.compile(r"/sandbox/sellercentral/apps/manage$"))
    for name in ("Northwind US", "Northwind CA"):
        panel = _dashboard(page, name)
        expect(panel).to_contain_text("Revoked")
        expect(panel.get_by_role("link", name="Revoke authorization")).to_have_count(0)
    revoked = SellerAuthorization.objects.get()
    assert (revoked.refresh_token_encrypted, revoked.state) == ("", AuthorizationState.REVOKED)
    page.goto(reverse("sellerauth:authorizations"))
    expect(page.locator(f"#authorization-{revoked.pk}")).to_contain_text("Revoked")
    assert page.console_errors == []


def test_re_authorize_in_seller_central_brings_revoked_stores_back(page, sign_in, auth_staff, northwind_due):
    sign_in(page, auth_staff)
    # A consent first, so that the sandbox's Seller Central lists the application; then revoke here.
    _renew_in_seller_central(page, "Northwind US")
    _dashboard(page, "Northwind US").get_by_role("link", name="Revoke authorization").click()
    page.get_by_role("button", name="Revoke authorization").click()
    expect(_dashboard(page, "Northwind CA")).to_contain_text("Revoked")

    # The seller, signed in to Seller Central in this browser, chooses Re-Authorize in Manage Your Apps.
    page.goto("/sandbox/sellercentral/apps/manage")
    page.get_by_role("button", name=re.compile("Re-Authorize")).click()
    # The application's Log-in URI asks first, then sends the browser back to Seller Central's confirm page.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Renew the authorization of seller {NORTHWIND}")
    expect(page.locator("main")).to_contain_text("Northwind CA")
    page.get_by_role("button", name="Continue to Seller Central").click()
    _consent(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Authorization renewed")
    renewed = SellerAuthorization.objects.get()
    assert renewed.state == AuthorizationState.ACTIVE
    assert renewed.seller_store_name == "Northwind Outfitters"
    for name in ("Northwind US", "Northwind CA"):
        panel = _dashboard(page, name)
        expect(panel).to_contain_text("Connected")
        expect(panel).to_contain_text(_expiry_text(renewed))
    assert page.console_errors == []


def test_an_edited_selling_partner_id_is_refused_and_the_known_seller_is_unchanged(
    page, sign_in, manager, live_sandbox
):
    known = _authorization(
        seller=US_ONLY,
        store_name="Prairie Pantry Co.",
        marketplace_ids=[US],
        age_days=30,
        stores={"Store 5": "US"},
    )
    before = (known.refresh_token_encrypted, known.seller_store_name, known.marketplace_ids, known.granted_at)
    other = AmazonStoreFactory(name="Store 6", marketplace="US")
    sign_in(page, manager)
    page.goto(other.get_absolute_url())
    page.locator("#amazon-connection").get_by_role("link", name="Connect store").click()
    with page.context.expect_page() as new_tab:
        page.get_by_role("dialog").get_by_role("button", name="Continue to Seller Central").click()
    tab = new_tab.value
    tab.wait_for_load_state()
    _sign_in(tab, "na-seller@example.com")
    tab.get_by_label(re.compile("I understand")).check()
    tab.get_by_role("button", name="Next").click()
    # Amazon's answer comes back through the browser: hold it, and edit the seller in the address bar.
    held = []

    def hold(route):
        if route.request.method != "POST":
            return route.continue_()
        answer = route.fetch(max_redirects=0)
        held.append(answer.headers["location"])
        route.fulfill(status=200, content_type="text/plain", body="held")

    tab.route(re.compile(r"/apps/authorize/almost-done$"), hold)
    tab.get_by_role("button", name="Continue").click()
    expect(tab.locator("body")).to_have_text("held")
    answer = urlsplit(held[0])
    query = {name: values[0] for name, values in parse_qs(answer.query).items()}
    assert query["selling_partner_id"] == NORTHWIND
    tab.goto(f"{answer.path}?{urlencode(query | {'selling_partner_id': US_ONLY})}")

    alert = tab.get_by_role("alert")
    expect(alert).to_contain_text(f"Amazon answered for a different seller account than {US_ONLY} (Prairie Pantry Co.)")
    known.refresh_from_db()
    assert (known.refresh_token_encrypted, known.seller_store_name, known.marketplace_ids, known.granted_at) == before
    assert SellerAuthorization.objects.count() == 1
    assert not StoreConnection.objects.filter(store=other).exists()
    page.goto(other.get_absolute_url())
    expect(page.locator("table")).to_contain_text("Security warning")
    expect(page.locator("#amazon-connection")).to_contain_text("Not connected")

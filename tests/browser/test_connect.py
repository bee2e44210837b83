"""Connect a store to the embedded Seller Central in a real browser: new tab, sign-in, 2FA, consent, back."""

import re

import pytest
from playwright.sync_api import expect

from sellerauth.models import SellerAuthorization
from tests.factories import AmazonStoreFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _to_seller_central(page, store_name):
    """Click Connect store on the card, read the notice, continue; return the new tab."""
    card = page.get_by_role("article", name=store_name)
    card.get_by_role("link", name=re.compile("Connect store")).click()
    dialog = page.get_by_role("dialog", name="Connect to Amazon Seller Central")
    expect(dialog).to_contain_text("primary user")
    expect(dialog).to_contain_text("Professional seller account")
    with page.context.expect_page() as new_tab:
        dialog.get_by_role("button", name="Continue to Seller Central").click()
    tab = new_tab.value
    tab.wait_for_load_state()
    return tab


def _sign_in(tab, login):
    expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()
    tab.get_by_label("Email or mobile phone number").fill(login)
    tab.get_by_label("Password").fill("sandbox")
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", name="Two-Step Verification")).to_be_visible()
    tab.get_by_label("Enter the code").fill(tab.locator("#sandbox-mfa-code").inner_text())
    tab.get_by_role("button", name="Sign in").click()


def _consent(tab):
    tab.get_by_label(re.compile("I understand")).check()
    tab.get_by_role("button", name="Next").click()
    expect(tab.get_by_role("heading", name="You are almost done")).to_be_visible()
    tab.get_by_role("button", name="Continue").click()


def test_connect_store_through_seller_central(page, sign_in, manager, live_sandbox):
    AmazonStoreFactory(name="Amazon Store USA", marketplace="US")
    sign_in(page, manager)

    tab = _to_seller_central(page, "Amazon Store USA")
    _sign_in(tab, "na-seller@example.com")
    _consent(tab)

    expect(tab.get_by_role("heading", level=1)).to_have_text("Store connected")
    expect(tab.locator(".connect-result")).to_contain_text("is connected to Amazon seller")
    # The first tab hears of it and shows the card anew.
    card = page.get_by_role("article", name="Amazon Store USA")
    expect(card).to_contain_text("Connected", timeout=10_000)
    expect(card).to_contain_text("365 days left")
    authorization = SellerAuthorization.objects.get()
    expect(card).to_contain_text(authorization.selling_partner_id)
    assert authorization.region == "NA"
    assert page.console_errors == []


def test_cancelling_at_seller_central_changes_nothing(page, sign_in, manager, live_sandbox):
    AmazonStoreFactory(name="Cancelled Store", marketplace="US")
    sign_in(page, manager)

    tab = _to_seller_central(page, "Cancelled Store")
    _sign_in(tab, "na-seller@example.com")
    tab.get_by_role("button", name="Cancel").click()

    expect(tab.get_by_role("alert")).to_contain_text("You cancelled the authorization in Seller Central")
    assert not SellerAuthorization.objects.exists()
    page.reload()
    expect(page.get_by_role("article", name="Cancelled Store")).to_contain_text("Not connected")


def test_a_seller_who_does_not_sell_in_the_marketplace_is_named(page, sign_in, manager, live_sandbox):
    AmazonStoreFactory(name="Tienda Mexico", marketplace="MX")
    sign_in(page, manager)

    tab = _to_seller_central(page, "Tienda Mexico")
    _sign_in(tab, "us-only-seller@example.com")
    _consent(tab)

    alert = tab.get_by_role("alert")
    expect(alert).to_contain_text("does not sell in Mexico")
    expect(alert).to_contain_text("United States")
    assert not SellerAuthorization.objects.exists()

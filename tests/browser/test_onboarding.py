"""A merchant adds a store in a real browser: the flow of the source document, end to end."""

import re

import pytest
from playwright.sync_api import expect

from stores.models import AmazonStore
from tests.factories import AmazonStoreFactory, CatalogAttributeFactory, WebsiteFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def catalog():
    WebsiteFactory(code="base", name="Main Website", default_store_view="Default Store View")
    WebsiteFactory(code="outlet", name="Outlet Website", default_store_view="Outlet Store View")
    CatalogAttributeFactory(code="upc", label="UPC")
    CatalogAttributeFactory(code="ean", label="EAN")


def test_a_manager_adds_views_edits_and_deactivates_a_store(page, sign_in, manager, catalog):
    sign_in(page, manager)
    expect(page.get_by_text("You have no Amazon store yet")).to_be_visible()

    # First time: the pre-installation checklist opens in a modal, with focus inside it.
    page.get_by_role("link", name="Add Amazon Store").first.click()
    dialog = page.get_by_role("dialog", name="Pre-installation tasks")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("A Professional seller account")).to_be_visible()
    assert page.evaluate("document.getElementById('pre-installation-dialog').contains(document.activeElement)")
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('pre-installation-dialog').contains(document.activeElement)")
    dialog.get_by_role("link", name="Continue").click()

    # The form, with the labels of the source document.
    expect(page.get_by_role("heading", name="Add Amazon sales channel")).to_be_visible()
    page.get_by_label("Magento Website to use for Amazon Listing").select_option(label="Main Website")
    page.get_by_label("Email Address").fill("owner@example.com")
    page.get_by_label("New Store Name").fill("Amazon Store USA")
    page.get_by_label("Amazon Marketplace Country").select_option(label="United States")
    page.get_by_label("Product ID on the Amazon market").select_option("UPC")
    page.get_by_label("Map a Magento attribute").select_option(label="UPC (upc)")
    page.get_by_role("button", name="Connect").click()

    # Back home: the card and the confirmation naming the store and the next step.
    expect(page.get_by_role("status").filter(has_text="Amazon Store USA")).to_contain_text(
        "connect it to Amazon Seller Central"
    )
    card = page.get_by_role("article", name="Amazon Store USA")
    expect(card).to_contain_text("United States")
    expect(card).to_contain_text("Main Website")
    expect(card).to_contain_text("Active")
    expect(card).to_contain_text("Not connected")

    # View Store, edit the email.
    card.get_by_role("link", name=re.compile("View Store")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amazon Store USA")
    expect(page.get_by_text("ATVPDKIKX0DER")).to_be_visible()
    page.get_by_label("Email Address").fill("team@example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("You saved the store")
    expect(page.locator(".details")).to_contain_text("team@example.com")

    # Deactivate.
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("is inactive")
    expect(page.locator(".store-header")).to_contain_text("Inactive")
    activity = page.get_by_role("region", name="Activity")
    expect(activity).to_contain_text("Deactivated")
    expect(activity).to_contain_text("Edited")
    expect(activity).to_contain_text("Created")

    store = AmazonStore.objects.get()
    assert (store.contact_email, store.is_active) == ("team@example.com", False)
    assert page.console_errors == []


def test_bad_input_is_shown_next_to_the_fields_and_kept(page, sign_in, manager, catalog):
    AmazonStoreFactory(name="Existing Store")
    sign_in(page, manager)
    page.goto("/stores/add/")

    page.get_by_label("Email Address").fill("not-an-email")
    page.get_by_label("New Store Name").fill("  existing STORE ")
    page.get_by_label("Product ID on the Amazon market").select_option("EAN")
    page.get_by_role("button", name="Connect").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below.")
    expect(page.locator("#id_contact_email_error")).to_have_text("Enter a valid email address.")
    expect(page.locator("#id_name_error")).to_contain_text("already exists")
    expect(page.locator("#id_website_error")).to_have_text("This field is required.")
    expect(page.locator("#id_product_id_attribute_error")).to_contain_text("Choose the catalog attribute")
    expect(page.get_by_label("Email Address")).to_have_value("not-an-email")
    expect(page.get_by_label("Email Address")).to_have_attribute("aria-invalid", "true")
    assert AmazonStore.objects.count() == 1


def test_the_card_menu_works_by_keyboard(page, sign_in, manager):
    AmazonStoreFactory(name="Keyboard Store")
    sign_in(page, manager)

    menu = page.get_by_role("article", name="Keyboard Store").locator("summary")
    menu.focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Deactivate").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("is inactive")
    expect(page.get_by_role("article", name="Keyboard Store")).to_contain_text("Inactive")


def test_a_viewer_sees_cards_but_no_actions(page, sign_in, viewer):
    AmazonStoreFactory(name="Read Only Store")
    sign_in(page, viewer)

    expect(page.get_by_role("article", name="Read Only Store")).to_be_visible()
    expect(page.get_by_role("link", name="Add Amazon Store")).to_have_count(0)
    expect(page.locator("details.menu")).to_have_count(0)


@pytest.mark.parametrize("path", ["/", "/stores/add/", "store"])
def test_pages_fit_a_phone_screen(browser, live_server, sign_in, manager, path):
    store = AmazonStoreFactory(name="Amazon Store with a rather long name for a small screen")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in(page, manager)

    page.goto(store.get_absolute_url() if path == "store" else path)

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()

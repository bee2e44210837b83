"""The application and the sandbox by keyboard alone: the modal dialogs, and adding and connecting a store."""

import pytest
from playwright.sync_api import expect

from sellerauth.models import SellerAuthorization
from stores.models import AmazonStore
from tests.factories import AmazonStoreFactory, WebsiteFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CONNECT_OPENER = "[data-store-id] a[data-opens-dialog=connect-dialog]"
FIRST_STORE_OPENER = ".page-header__actions a[data-opens-dialog=pre-installation-dialog]"


def _focused(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement !== null && document.activeElement.matches(s)", selector)


def _tab_to(page, selector: str, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches `selector`, as a keyboard user moves."""
    for _ in range(limit):
        if _focused(page, selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def _assert_focus_visible(page) -> None:
    """Assert that the focused element shows it: it matches :focus-visible and draws an outline or a shadow."""
    ring = page.evaluate(
        """() => {
            const element = document.activeElement, style = getComputedStyle(element);
            const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
                && style.outlineColor !== "rgba(0, 0, 0, 0)";
            return {
                focusVisible: element.matches(":focus-visible"),
                drawn: outline || style.boxShadow !== "none",
                element: element.outerHTML.slice(0, 120),
            };
        }"""
    )
    assert ring["focusVisible"] and ring["drawn"], f"no visible focus on {ring['element']}"


def _in_dialog(page, dialog_id: str) -> bool:
    return page.evaluate("id => document.getElementById(id).contains(document.activeElement)", dialog_id)


@pytest.mark.parametrize(
    ("dialog_id", "opener", "stores"),
    [("connect-dialog", CONNECT_OPENER, 1), ("pre-installation-dialog", FIRST_STORE_OPENER, 0)],
    ids=["connect", "pre-installation"],
)
def test_a_modal_dialog_takes_keeps_and_gives_back_focus(page, signed_in, manager, dialog_id, opener, stores):
    if stores:
        AmazonStoreFactory(name="Amazon Store USA", marketplace="US")
    signed_in(page, manager)
    dialog = page.locator(f"#{dialog_id}")
    close, cancel = f"#{dialog_id} .dialog__close", f"#{dialog_id} .dialog__footer .button--secondary"
    primary = f"#{dialog_id} .dialog__footer .button--primary"

    # Opening moves focus into the dialog, onto its way forward.
    _tab_to(page, opener)
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    assert _focused(page, primary)
    _assert_focus_visible(page)

    # Tab from the last control comes back to the first, Shift+Tab from the first goes to the last; never outside.
    page.keyboard.press("Tab")
    assert _focused(page, close)
    page.keyboard.press("Shift+Tab")
    assert _focused(page, primary)
    for key in ["Tab"] * 7 + ["Shift+Tab"] * 7:
        page.keyboard.press(key)
        assert _in_dialog(page, dialog_id), f"{key} left the dialog"

    # Escape closes it, and focus is back on the control that opened it.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert _focused(page, opener)
    _assert_focus_visible(page)

    # So do Cancel and the close button, pressed with Enter and with Space.
    for control, key in ((cancel, "Enter"), (close, "Space")):
        page.keyboard.press("Enter")
        expect(dialog).to_be_visible()
        _tab_to(page, control)
        page.keyboard.press(key)
        expect(dialog).to_be_hidden()
        assert _focused(page, opener)
    assert page.console_errors == []


def _type_into(page, selector: str, text: str) -> None:
    _tab_to(page, selector)
    page.keyboard.type(text)


def test_add_and_connect_a_store_by_keyboard_alone(page, manager, live_sandbox):
    WebsiteFactory(code="base", name="Main Website")

    # Sign in.
    page.goto("/")
    _type_into(page, "#id_username", "manager")
    _assert_focus_visible(page)
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_sandbox}/")

    # Add Amazon Store opens the pre-installation tasks (the first store); Continue leads to the form.
    _tab_to(page, FIRST_STORE_OPENER)
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert _focused(page, "#pre-installation-dialog .dialog__footer .button--primary")
    page.keyboard.press("Enter")
    page.wait_for_url("**/stores/add/")
    _type_into(page, "#id_website", "Main")  # a <select> picks the option its typed letters begin
    _type_into(page, "#id_contact_email", "owner@example.com")
    _type_into(page, "#id_name", "Keyboard Store")
    _type_into(page, "#id_marketplace", "United States")
    assert page.locator("#id_marketplace").input_value() == "US"
    _tab_to(page, "form.form button[type=submit]")
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_sandbox}/")
    store = AmazonStore.objects.get(name="Keyboard Store")
    assert (store.website.code, store.contact_email, store.marketplace) == ("base", "owner@example.com", "US")

    # The card's Connect store opens the dialog; its Continue opens Seller Central in a new tab.
    card = page.get_by_role("article", name="Keyboard Store")
    expect(card).to_contain_text("Not connected")
    _tab_to(page, CONNECT_OPENER)
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert _focused(page, "#connect-dialog [data-connect-submit]")
    with page.context.expect_page() as new_tab:
        page.keyboard.press("Enter")
    tab = new_tab.value
    tab.wait_for_load_state()
    expect(page.locator("#connect-dialog")).to_be_hidden()
    assert _focused(page, CONNECT_OPENER)

    # Seller Central: sign in, the two-step code, consent, "You are almost done".
    _type_into(tab, "#id_login", "na-seller@example.com")
    _assert_focus_visible(tab)
    tab.keyboard.press("Tab")
    tab.keyboard.type("sandbox")
    tab.keyboard.press("Enter")
    expect(tab.locator("#sandbox-mfa-code")).to_be_visible()
    _type_into(tab, "#id_code", tab.locator("#sandbox-mfa-code").inner_text())
    tab.keyboard.press("Enter")
    expect(tab.locator("#id_understand")).to_be_visible()
    _tab_to(tab, "#id_understand")
    _assert_focus_visible(tab)
    tab.keyboard.press("Space")
    expect(tab.locator("#id_understand")).to_be_checked()
    _tab_to(tab, "button[name=next]")
    tab.keyboard.press("Enter")
    expect(tab.locator("#done-title")).to_be_visible()
    _tab_to(tab, ".sc-buttons .sc-button--primary")
    _assert_focus_visible(tab)
    tab.keyboard.press("Enter")

    # Back in the application: the result in the new tab, and the card Connected in the first.
    expect(tab.locator("[data-connected-store]")).to_be_visible()
    expect(card).to_contain_text("Connected", timeout=10_000)
    assert SellerAuthorization.objects.get().connections.get().store == store
    assert page.console_errors == []

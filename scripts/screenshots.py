"""
Take the README's screenshots (docs/screenshots/) from a running `make run` server, in Chromium, in English.

Signed in as the demo superuser, it adds four stores, connects three through the sandbox's Seller Central and
moves two consents back in time, so that the home page shows cards Connected, Renewal due, Expired and Not
connected; then it saves the home page, the add-store form, a store's dashboard and the sandbox's consent page.
Stores already there (from an earlier run) are left as they are.

The sandbox's Sellers page moves a consent back on Amazon's side only: the application dates each authorization
from its own record of the consent, so the script moves that record too, in the database of this checkout. Run it
from the checkout whose `make run` serves --base-url:

    make run  # in another terminal
    .venv/bin/python scripts/screenshots.py

Playwright comes with the development tools, which `make test` installs (`make run` installs only what serving
needs).
"""

import argparse
import os
import re
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
DEMO_USER, DEMO_PASSWORD = "admin", "demo-password"
SANDBOX_PASSWORD = "sandbox"  # noqa: S105  (the sandbox sellers' published password)
# name, marketplace, the sandbox seller who connects it (None: left unconnected), days its consent is moved back.
STORES = [
    ("Northwind US", "US", ("na-seller@example.com", "A2NASELLER0001"), 0),
    ("Albion UK", "GB", ("eu-seller@example.com", "A2EUSELLER0002"), 340),  # 25 days left: Renewal due
    ("Prairie Pantry US", "US", ("us-only-seller@example.com", "A2USONLYSELL03"), 400),  # past its year: Expired
    ("Northwind Canada", "CA", None, 0),
]
DASHBOARD_STORE = "Northwind US"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="the running server (default: %(default)s)")
    parser.add_argument("--user", default=DEMO_USER, help="a superuser of the demo data (default: %(default)s)")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="its password (default: %(default)s)")
    arguments = parser.parse_args()
    _django_setup()
    from playwright.sync_api import sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=arguments.base_url.rstrip("/"), viewport=VIEWPORT, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(15_000)
        _sign_in(page, arguments.user, arguments.password)
        _stores_ensure(page)
        _save_all(page)
        browser.close()


def _stores_ensure(page) -> None:
    """Add, connect and age the stores of STORES that are not there yet."""
    for name, marketplace, seller, days in STORES:
        page.goto("/")
        if page.get_by_role("article", name=name).count():
            print(f"{name}: already there, kept as it is")
            continue
        _store_add(page, name, marketplace)
        if seller:
            _store_connect(page, name, seller[0])
        if days:
            _consent_backdate(page, seller[1], days)
        done = [f"connected as {seller[0]}"] if seller else []
        print(f"{name}: " + ", ".join(["added", *done, *([f"{days} days back"] if days else [])]))


def _django_setup() -> None:
    """Set Django up on this checkout's settings (its .env), to reach the database `make run` serves."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asc_project.settings")
    # Playwright's sync API runs an event loop in this thread; the few ORM calls are ordinary synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()


def _sign_in(page, user: str, password: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1, name="Amazon Sales Channel").wait_for()


def _store_add(page, name: str, marketplace: str) -> None:
    page.goto("/stores/add/")
    page.get_by_label("Magento Website to use for Amazon Listing").select_option(label="Main Website")
    page.get_by_label("Email Address").fill("channel-team@example.com")
    page.get_by_label("New Store Name").fill(name)
    page.get_by_label("Amazon Marketplace Country").select_option(marketplace)
    page.get_by_label("Product ID on the Amazon market").select_option("UPC")
    page.get_by_label("Map a Magento attribute").select_option(label="UPC (upc)")
    page.get_by_role("button", name="Connect", exact=True).click()
    page.get_by_role("article", name=name).wait_for()


def _seller_central(page, store: str):
    """Open Seller Central from the store's card, as a merchant does; return its tab."""
    page.goto("/")
    page.get_by_role("article", name=store).get_by_role("link", name=re.compile("Connect store")).click()
    with page.context.expect_page() as new_tab:
        page.get_by_role("dialog").get_by_role("button", name="Continue to Seller Central").click()
    tab = new_tab.value
    tab.locator("#id_login, #id_understand").first.wait_for()
    return tab


def _seller_sign_in(tab, login: str) -> None:
    """Sign in at Seller Central as `login` (signing out whoever the shared session still holds)."""
    if tab.locator("#id_understand").count():
        if login in tab.locator(".sc-seller-bar").inner_text():
            return
        tab.get_by_role("button", name="Not you? Sign out").click()
    tab.get_by_label("Email or mobile phone number").fill(login)
    tab.get_by_label("Password").fill(SANDBOX_PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_label("Enter the code").fill(tab.locator("#sandbox-mfa-code").inner_text())
    tab.get_by_role("button", name="Sign in").click()
    tab.locator("#id_understand").wait_for()


def _store_connect(page, store: str, login: str) -> None:
    tab = _seller_central(page, store)
    _seller_sign_in(tab, login)
    tab.get_by_label(re.compile("I understand")).check()
    tab.get_by_role("button", name="Next").click()
    tab.get_by_role("button", name="Continue").click()
    tab.locator("[data-connected-store]").wait_for()
    tab.close()
    # The first tab hears of the connection and reloads its cards: let it, before going elsewhere.
    page.get_by_role("article", name=store).locator(".badge--conn-connected").wait_for()


def _consent_backdate(page, seller_id: str, days: int) -> None:
    """Move the seller's consent `days` back: at Amazon (the sandbox's Sellers page), then in the application."""
    from django.db.models import F

    from sellerauth.models import SellerAuthorization

    page.goto("/sandbox/sellers/")
    row = page.get_by_role("row").filter(has_text=seller_id)
    row.get_by_label("Days back").fill(str(days))
    row.get_by_role("button", name=re.compile("Move back")).click()
    page.locator(".sc-messages").wait_for()
    back = timedelta(days=days)
    moved = SellerAuthorization.objects.filter(selling_partner_id=seller_id).update(
        granted_at=F("granted_at") - back, expires_at=F("expires_at") - back
    )
    if not moved:
        sys.exit(
            f"Seller {seller_id} has no authorization in this checkout's database: run the script from the "
            "checkout whose `make run` serves --base-url."
        )


def _save_all(page) -> None:
    page.goto("/")
    # The whole page: the four cards are two rows below the renewal banner, taller than the window.
    _save(page, "home", full_page=True)
    page.goto("/stores/add/")
    _save(page, "add-store")
    page.goto("/")
    page.get_by_role("article", name=DASHBOARD_STORE).get_by_role("link", name=re.compile("View Store")).click()
    page.get_by_role("heading", level=1, name=DASHBOARD_STORE).wait_for()
    _save(page, "store-dashboard")
    # The consent page of the store left unconnected; Cancel there leaves it as it was.
    unconnected = next(name for name, _, seller, _ in STORES if seller is None)
    tab = _seller_central(page, unconnected)
    _seller_sign_in(tab, STORES[0][2][0])
    tab.set_viewport_size({"width": VIEWPORT["width"], "height": 660})  # the consent box, without a blank half
    _save(tab, "sandbox-consent")
    tab.get_by_role("button", name="Cancel").click()
    tab.close()


def _save(page, name: str, *, full_page: bool = False) -> None:
    page.wait_for_load_state("networkidle")
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()

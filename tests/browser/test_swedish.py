"""Switch to Swedish, add a store and connect it at the sandbox's Seller Central: no English is left on any page."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from playwright.sync_api import expect

from sellerauth.models import SellerAuthorization
from stores.models import AmazonStore
from tests.factories import CatalogAttributeFactory, WebsiteFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = (
    ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po",
    ROOT / "amazon_sandbox" / "locale" / "sv" / "LC_MESSAGES" / "django.po",
)
STORE, WEBSITE = "Nordisk Butik", "Huvudwebbplats"
SELLER_LOGIN, SELLER_NAME = "na-seller@example.com", "Northwind Outfitters"
# Shown as they are in every language. Names: the application as registered at Amazon, what the test typed, the
# seller's store, and e-mail addresses and links.
NAMES = re.compile(
    "|".join(map(re.escape, (settings.AMAZON_SANDBOX_APPLICATION["NAME"], STORE, WEBSITE, SELLER_NAME)))
    + r"|\S+@\S+|https?://\S+"
)
# Amazon's own terms (the sandbox's logo writes "amazon seller central"), and the switch's "English": a language
# named in its own words.
TERMS = re.compile(r"Login with Amazon|Manage Your Apps|Seller Central|SP-API|Amazon|Magento|English", re.IGNORECASE)
# English function words, and the application's own words, that no Swedish sentence holds.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|or|of|to|for|is|are|your|with|this|that|will|here|please|you|store|stores|connect|connected|"
    r"seller|sign|continue|cancel)\b",
    re.IGNORECASE,
)
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]|\{\w*\}|</?[a-zA-Z][^>]*>")
WORD = re.compile(r"[^\W\d_]+")


def _english_phrases() -> set[str]:
    """Return the English phrases of both catalogues that Swedish replaces (a msgid's parts between placeholders)."""
    messages = []
    for path in CATALOGUES:
        with path.open("rb") as source:
            messages += [message for message in read_po(source) if message.id]
    swedish = "\n".join(s for m in messages for s in (m.string if isinstance(m.string, tuple) else (m.string,)))
    phrases = set()
    for message in messages:
        pairs = zip(*(m if isinstance(m, tuple) else (m,) for m in (message.id, message.string)), strict=False)
        for english, translated in pairs:
            if english == translated:
                continue
            for phrase in (part.strip() for part in PLACEHOLDER.split(english)):
                # Short words would be found inside other text; a phrase that Swedish keeps is no leftover.
                words = WORD.findall(TERMS.sub(" ", phrase))
                if (len(words) >= 2 or len(phrase) >= 12) and phrase not in swedish:
                    phrases.add(phrase)
    return phrases


class Leftovers:
    """Read each page a test visits, and fail at the end naming every line that is still in English."""

    def __init__(self):
        self.phrases = _english_phrases()
        self.pages = []
        self.found = []

    def __call__(self, page, name: str) -> None:
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "sv", f"{name} is not in Swedish: {page.url}"
        self.pages.append(name)
        self.found += [f"{name}: {line}" for line in self.english(page)]

    def english(self, page) -> list[str]:
        """Return the page's lines that hold English, each with what gave it away."""
        found = []
        text = page.evaluate("document.title + '\\n' + document.body.innerText")
        for line in filter(None, (line.strip() for line in text.splitlines())):
            named = NAMES.sub(" ", line)
            phrases = sorted(phrase for phrase in self.phrases if phrase in named)
            words = sorted({word.lower() for word in ENGLISH_WORDS.findall(TERMS.sub(" ", named))})
            if phrases or words:
                found.append(f"{line!r}  <- {', '.join(map(repr, phrases + words))}")
        return found

    def assert_none(self) -> None:
        assert self.pages, "no page was read"
        assert not self.found, f"English left on {len(self.found)} lines:\n" + "\n".join(self.found)


def test_add_and_connect_a_store_in_swedish(page, manager, live_sandbox):
    WebsiteFactory(code="base", name=WEBSITE)
    CatalogAttributeFactory(code="upc", label="UPC")
    leftovers = Leftovers()

    # The browser asks for English; the header's switch turns the pages Swedish, for the sign-in form too.
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert leftovers.english(page), "the check finds no English on the English sign-in page"
    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("button", name="Svenska")).to_have_attribute("aria-pressed", "true")
    leftovers(page, "sign-in")
    page.get_by_label("Användarnamn").fill(manager.username)
    page.get_by_label("Lösenord").fill("correct-horse-battery")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_text("Du har ingen Amazon-butik ännu")).to_be_visible()
    leftovers(page, "home, no store")

    # The first store: the pre-installation tasks, then the form.
    page.get_by_role("link", name="Lägg till en Amazon-butik").first.click()
    dialog = page.get_by_role("dialog", name="Åtgärder före installation")
    expect(dialog).to_be_visible()
    leftovers(page, "home, pre-installation tasks")
    dialog.get_by_role("link", name="Fortsätt").click()
    expect(page.get_by_role("heading", name="Lägg till Amazon försäljningskanal")).to_be_visible()
    leftovers(page, "add store")
    page.get_by_label("Magento-webbplats att använda för Amazon-annonser").select_option(label=WEBSITE)
    page.get_by_label("E-postadress").fill("agare@example.com")
    page.get_by_label("Nytt butiksnamn").fill(STORE)
    page.get_by_label("Land för Amazon-marknadsplatsen").select_option("US")
    page.get_by_label("Produkt-ID på Amazon-marknaden").select_option("UPC")
    page.get_by_label("Mappa ett Magento-attribut").select_option(label="UPC (upc)")
    page.get_by_role("button", name="Anslut", exact=True).click()
    card = page.get_by_role("article", name=STORE)
    expect(card.locator(".badge")).to_contain_text(["Aktiv", "Inte ansluten"])
    leftovers(page, "home, store added")

    # Connect: the card's dialog, then Seller Central in a new tab, Swedish too (the language cookie is the host's).
    card.get_by_role("link", name=re.compile("Anslut butik")).click()
    dialog = page.get_by_role("dialog", name="Anslut till Amazon Seller Central")
    expect(dialog).to_be_visible()
    leftovers(page, "home, connect dialog")
    with page.context.expect_page() as new_tab:
        dialog.get_by_role("button", name="Fortsätt till Seller Central").click()
    tab = new_tab.value
    expect(tab.get_by_role("heading", name="Logga in")).to_be_visible()
    leftovers(tab, "Seller Central, sign-in")
    tab.get_by_label("E-postadress eller mobiltelefonnummer").fill(SELLER_LOGIN)
    tab.get_by_label("Lösenord").fill("sandbox")
    tab.get_by_role("button", name="Logga in").click()
    expect(tab.get_by_role("heading", name="Tvåstegsverifiering")).to_be_visible()
    leftovers(tab, "Seller Central, two-step verification")
    tab.get_by_label("Ange koden").fill(tab.locator("#sandbox-mfa-code").inner_text())
    tab.get_by_role("button", name="Logga in").click()
    understand = tab.get_by_label(re.compile("Jag förstår"))
    expect(understand).to_be_visible()
    leftovers(tab, "Seller Central, consent")
    understand.check()
    tab.get_by_role("button", name="Nästa").click()
    expect(tab.get_by_role("heading", name="Du är nästan klar")).to_be_visible()
    leftovers(tab, "Seller Central, almost done")
    tab.get_by_role("button", name="Fortsätt").click()

    # Back in the application: the result in the new tab, and the card connected in the first.
    expect(tab.get_by_role("heading", level=1)).to_have_text("Butiken är ansluten")
    leftovers(tab, "connect result")
    expect(card.locator(".badge")).to_contain_text(["Aktiv", "Ansluten"], timeout=10_000)
    leftovers(page, "home, store connected")

    assert SellerAuthorization.objects.get().connections.get().store == AmazonStore.objects.get(name=STORE)
    assert page.console_errors == []
    leftovers.assert_none()

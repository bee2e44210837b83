"""Drive the sandbox over HTTP as a browser and the application's server would."""

import re
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests

from amazon_sandbox.app import registered_application

TIMEOUT = 10
PASSWORD = "sandbox"


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def query(location: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(location).query, keep_blank_values=True)


REQUEST_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def lwa_error(response: requests.Response) -> tuple[int, dict]:
    """Return an LWA error's status and body without its request ID, after checking that it has a fresh one."""
    body = response.json()
    assert REQUEST_ID.fullmatch(body.pop("request_id"))
    return response.status_code, body


def registration_change(settings, **changes) -> None:
    """Change keys of the sandbox's registered application for one test (a new dict, so it is restored)."""
    settings.AMAZON_SANDBOX_APPLICATION = {**settings.AMAZON_SANDBOX_APPLICATION, **changes}


class Sandbox:
    """The sandbox at a live server's URL."""

    def __init__(self, url: str):
        self.url = url
        self.redirect_uri = f"{url}/amazon/callback/"
        self.token_url = f"{url}/sandbox/lwa/auth/o2/token"

    def consent_url(self, **params) -> str:
        application_id = registered_application().application_id
        params = {"application_id": application_id, "state": "state-0123456789", "version": "beta", **params}
        clean = {name: value for name, value in params.items() if value is not None}
        return f"{self.url}/sandbox/sellercentral/apps/authorize/consent?{urlencode(clean)}"

    def page(self, path: str) -> str:
        return urljoin(self.url, path)

    def get(self, browser: requests.Session, url: str) -> requests.Response:
        return browser.get(self.page(url), allow_redirects=False, timeout=TIMEOUT)

    def post(self, browser: requests.Session, url: str, data: dict, *, form_page: str | None = None):
        """Post a form as a browser would, with the CSRF token of the page it is on."""
        html = self.get(browser, form_page or url).text
        data = {**data, "csrfmiddlewaretoken": csrf_token(html)}
        return browser.post(self.page(url), data=data, allow_redirects=False, timeout=TIMEOUT)

    def sign_in(self, browser, *, login="na-seller@example.com", password=PASSWORD) -> requests.Response:
        """Sign in and pass two-factor; return the response to the code."""
        response = self.post(browser, "/sandbox/sellercentral/ap/signin", {"login": login, "password": password})
        assert response.headers["Location"].endswith("/sandbox/sellercentral/ap/mfa")
        return self.post(browser, "/sandbox/sellercentral/ap/mfa", {"code": self.mfa_code(browser)})

    def mfa_code(self, browser) -> str:
        html = self.get(browser, "/sandbox/sellercentral/ap/mfa").text
        return re.search(r'id="sandbox-mfa-code">(\d{6})<', html).group(1)

    def authorize(self, browser=None, *, login="na-seller@example.com", **params) -> dict[str, list[str]]:
        """Run the consent flow to the end; return the query of the redirect back to the application."""
        browser = browser or requests.Session()
        response = self.get(browser, self.consent_url(**params))
        if response.headers["Location"].endswith("/ap/signin"):
            self.sign_in(browser, login=login)
        self.post(browser, "/sandbox/sellercentral/apps/authorize/confirm", {"understand": "on", "next": "1"})
        response = self.post(browser, "/sandbox/sellercentral/apps/authorize/almost-done", {})
        assert response.status_code == 302
        assert response.headers["Location"].startswith(self.redirect_uri + "?")
        return query(response.headers["Location"])

    def confirm(self, browser, *, amazon_callback_uri: str, **params) -> requests.Response:
        """Answer Re-Authorize as the application's Log-in URI does: back to amazon_callback_uri with its state."""
        clean = {name: value for name, value in params.items() if value is not None}
        return browser.get(f"{amazon_callback_uri}?{urlencode(clean)}", allow_redirects=False, timeout=TIMEOUT)

    def consent_to_the_end(self, browser) -> requests.Response:
        """Tick "I understand…", choose Next, then Continue; return the redirect back to the application."""
        self.post(browser, "/sandbox/sellercentral/apps/authorize/confirm", {"understand": "on", "next": "1"})
        return self.post(browser, "/sandbox/sellercentral/apps/authorize/almost-done", {})

    def token(self, **data) -> requests.Response:
        application = registered_application()
        data = {"client_id": application.client_id, "client_secret": application.client_secret, **data}
        clean = {name: value for name, value in data.items() if value is not None}
        return requests.post(self.token_url, data=clean, timeout=TIMEOUT)

    def exchange(self, code: str) -> requests.Response:
        return self.token(grant_type="authorization_code", code=code, redirect_uri=self.redirect_uri)

    def tokens(self, **params) -> dict:
        """Authorize and exchange the code; return the token response."""
        code = self.authorize(**params)["spapi_oauth_code"][0]
        response = self.exchange(code)
        assert response.status_code == 200, response.text
        return response.json()

    def participations(self, access_token: str | None, region: str = "na") -> requests.Response:
        headers = {"x-amz-access-token": access_token} if access_token else {}
        url = f"{self.url}/sandbox/spapi/{region}/sellers/v1/marketplaceParticipations"
        return requests.get(url, headers=headers, timeout=TIMEOUT)

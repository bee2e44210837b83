"""
The load run's users (bench/load.py starts locust with this file and chooses the user classes of each phase).

Signed-in people browse the home page, store dashboards and Current Authorizations; others connect stores through
the embedded sandbox, page by page as a browser does (consent request, sign-in, two-factor code, "I understand…",
Continue, the callback, the result); the minimal view's users give the baseline. No think time: every user sends
its next request as soon as the last is answered, so each phase measures the server at saturation (connecting
users pause a second between connections).

bench/load.py writes the plan (signed-in sessions, stores, sandbox sellers) to the JSON file LOAD_PLAN, and reads
the figures and what the connecting users did from LOAD_SUMMARY, written when locust quits.
"""

import itertools
import json
import os
import random
import re
import time

from locust import FastHttpUser, HttpUser, constant, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115
COOKIE = PLAN["session_cookie"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MFA_CODE = re.compile(r'id="sandbox-mfa-code">(\d{6})<')
_sessions = {role: itertools.cycle(keys) for role, keys in PLAN["sessions"].items()}
_sellers = itertools.cycle(PLAN["sellers"])
OUTCOMES = {"connected": [], "failed": []}


class Unexpected(Exception):
    """A page answered otherwise than a browser following the flow expects."""


def _check(response, status: int, text: str = "") -> None:
    """Mark the response failed unless it has the status (and the text) expected; a 5xx always fails."""
    if response.status_code != status:
        response.failure(f"HTTP {response.status_code} (expected {status})")
    elif text and text not in response.text:
        response.failure(f"HTTP {status} without {text!r}")
    else:
        response.success()


class _Browsing(FastHttpUser):
    """A signed-in person on the pages every role sees; one of the sessions the plan holds."""

    abstract = True
    wait_time = constant(0)

    def on_start(self):
        self.headers = {"Cookie": f"{COOKIE}={next(_sessions['browse'])}"}

    def page(self, url: str, name: str, text: str = "") -> None:
        with self.client.get(url, name=name, headers=self.headers, catch_response=True) as response:
            _check(response, 200, text)

    def home(self):
        self.page("/", "home page", "Amazon Sales Channel")

    def dashboard(self):
        self.page(f"/stores/{random.choice(PLAN['dashboards'])}/", "store dashboard")  # noqa: S311

    def authorizations(self):
        page = random.randint(1, PLAN["authorization_pages"])  # noqa: S311
        self.page(f"/amazon/authorizations/?page={page}", "Current Authorizations", "Current Authorizations")


class MinimalUser(_Browsing):
    """The baseline: the same server and stack, signed in, answering two bytes."""

    @task
    def minimal(self):
        self.page("/bench/minimal/", "minimal view", "ok")


class HomeUser(_Browsing):
    @task
    def home_page(self):
        self.home()


class DashboardUser(_Browsing):
    @task
    def dashboard_page(self):
        self.dashboard()


class AuthorizationsUser(_Browsing):
    @task
    def authorizations_page(self):
        self.authorizations()


class BrowsingUser(_Browsing):
    """The mix: mostly the home page and dashboards, now and then Current Authorizations."""

    @task(3)
    def home_page(self):
        self.home()

    @task(3)
    def dashboard_page(self):
        self.dashboard()

    @task(1)
    def authorizations_page(self):
        self.authorizations()


class ConnectingUser(HttpUser):
    """A manager connecting stores of one sandbox seller, through the sandbox's Seller Central pages."""

    fixed_count = int(os.environ.get("LOAD_CONNECTING_USERS", 3))
    wait_time = constant(1)  # between connections; none between the pages of one

    def on_start(self):
        self.client.cookies.set(COOKIE, next(_sessions["connect"]))
        self.seller = next(_sellers)

    def _go(self, method: str, url: str, name: str, status: int, data: dict | None = None, text: str = ""):
        with self.client.request(
            method, url, name=name, data=data, allow_redirects=False, catch_response=True
        ) as response:
            _check(response, status, text)
        if response.status_code != status or (text and text not in response.text):
            raise Unexpected(f"{name}: HTTP {response.status_code}")
        return response

    def _form(self, url: str, name: str, fields: dict, status: int = 302, *, action: str = ""):
        """Open a form's page, then post it (to `action`, else the same URL) with the page's CSRF token."""
        page = self._go("GET", url, f"{name} (page)", 200)
        token = CSRF.search(page.text)
        if token is None:
            raise Unexpected(f"{name}: no CSRF token on the page")
        return self._go("POST", action or url, name, status, {**fields, "csrfmiddlewaretoken": token.group(1)})

    @task
    def connect_store(self):
        store = random.choice(self.seller["stores"])  # noqa: S311
        started = time.perf_counter()
        try:
            self._connect(store)
        except Unexpected as error:
            OUTCOMES["failed"].append(store)
            outcome = error
        else:
            OUTCOMES["connected"].append(store)
            outcome = None
        events.request.fire(
            request_type="FLOW",
            name="connect flow",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=outcome,
            context={},
        )

    def _connect(self, store: int) -> None:
        start = f"/amazon/stores/{store}/connect/start/"
        consent = self._form(f"/amazon/stores/{store}/connect/", "connect: start", {}, status=303, action=start)
        step = self._go("GET", consent.headers["Location"], "sandbox: consent request", 302)
        if step.headers["Location"].endswith("/ap/signin"):
            fields = {"login": self.seller["login"], "password": self.seller["password"]}
            self._form("/sandbox/sellercentral/ap/signin", "sandbox: sign in", fields)
            mfa = self._go("GET", "/sandbox/sellercentral/ap/mfa", "sandbox: two-factor (page)", 200)
            code = MFA_CODE.search(mfa.text)
            if code is None:
                raise Unexpected("sandbox: no two-factor code shown")
            self._go(
                "POST",
                "/sandbox/sellercentral/ap/mfa",
                "sandbox: two-factor",
                302,
                {"code": code.group(1), "csrfmiddlewaretoken": CSRF.search(mfa.text).group(1)},
            )
        fields = {"understand": "on", "next": "1"}
        self._form("/sandbox/sellercentral/apps/authorize/confirm", "sandbox: consent", fields)
        back = self._form("/sandbox/sellercentral/apps/authorize/almost-done", "sandbox: continue", {})
        self._go("GET", back.headers["Location"], "callback", 303)
        self._go("GET", "/amazon/result/", "connect: result", 200, text="is connected")
        # Signed out (Manage Your Apps' Sign out), so that the next connection signs in and passes two-factor again.
        page = self._go("GET", "/sandbox/sellercentral/apps/manage", "sandbox: manage your apps", 200)
        token = {"csrfmiddlewaretoken": CSRF.search(page.text).group(1)}
        self._go("POST", "/sandbox/sellercentral/ap/signout", "sandbox: sign out", 302, token)


@events.quitting.add_listener
def _summary(environment, **kwargs):
    """Write the figures of each request name, the failures and the connections to LOAD_SUMMARY.

    Written when locust quits, after the users under way finished (--stop-timeout): its CSV files are written
    before that, without the last connections.
    """
    stats = environment.stats
    rows = {
        entry.name: {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "rps": entry.total_rps,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
        }
        for entry in [*stats.entries.values(), stats.total]
    }
    failures = [f"{error.occurrences} × {error.method} {error.name}: {error.error}" for error in stats.errors.values()]
    with open(os.environ["LOAD_SUMMARY"], "w") as file:
        json.dump({"rows": rows, "failures": failures, "outcomes": OUTCOMES}, file)

"""SQLite under simultaneous writes: a real server process on its own file database, as `make run` serves it.

The test database of the rest of the suite lives in memory and is used by one thread at a time, which is not
what a browser and the sandbox do to the development server. Here the server is `manage.py runserver` (one
thread per request) on a migrated and seeded SQLite file, whatever DATABASE_URL the suite runs with.
"""

import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.fernet import Fernet

from tests.amazon_sandbox.flow import Sandbox, csrf_token

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(8110, 8120)
PASSWORD = "concurrency-demo-password"
TIMEOUT = 30


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.fail(f"no free port in {PORTS.start}-{PORTS.stop - 1} for the server")


class Server:
    def __init__(self, url: str, database: Path, log: Path):
        self.url, self.database, self.log = url, database, log

    def rows(self, sql: str, *params) -> list[tuple]:
        with sqlite3.connect(self.database, timeout=TIMEOUT) as connection:
            return connection.execute(sql, params).fetchall()

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Migrate and seed an SQLite file, then serve it with runserver on a port of 8110-8119."""
    folder = tmp_path_factory.mktemp("sqlite-server")
    database, log = folder / "asc.sqlite3", folder / "server.log"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # Only what the server needs, not the developer's or CI's settings (DATABASE_URL, CACHE_URL, cookie flags…).
    environment = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if key in os.environ}
    environment |= {
        "ASC_ENV_FILE": os.devnull,
        "DJANGO_SETTINGS_MODULE": "asc_project.settings",
        "DEBUG": "true",
        "SECRET_KEY": "sqlite-concurrency-test-key-" + "k" * 30,
        "DATABASE_URL": f"sqlite:///{database}",
        "SITE_URL": url,
        "ASC_TOKEN_KEYS": Fernet.generate_key().decode(),
        "ASC_DEMO_PASSWORD": PASSWORD,
        # Each of the seller's consents keeps its own token, so that every connect of this test can succeed.
        "AMAZON_SANDBOX_NEW_CONSENT_REVOKES_OLD_TOKEN": "false",
        "LOG_LEVEL": "WARNING",
    }
    # One process for both commands: starting Django costs about a second.
    prepare = "from django.core.management import call_command; call_command('migrate'); call_command('seed_demo')"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", prepare], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url, process, log)
        yield Server(url, database, log)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {log.read_text()}")
        try:
            requests.get(f"{url}/accounts/login/", timeout=1)
        except requests.ConnectionError:
            time.sleep(0.1)
        else:
            return
    pytest.fail(f"the server did not answer within 20 s: {log.read_text()}")


def _signed_in(server: Server, username: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(f"{server.url}/accounts/login/", timeout=TIMEOUT)
    answer = browser.post(
        f"{server.url}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page.text)},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 302, answer.status_code
    return browser


def _copy(browser: requests.Session) -> requests.Session:
    """Return another connection of the same browser: its cookies, not its connection pool."""
    twin = requests.Session()
    twin.cookies.update(browser.cookies)
    return twin


def _at_once(calls) -> list:
    """Run the calls in threads released together; return their results (or exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as exc:  # reported by the caller's assertion
            results[index] = exc

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT * 2)
    return results


def _add_form(server: Server, browser: requests.Session, name: str, marketplace: str = "US") -> dict:
    page = browser.get(f"{server.url}/stores/add/", timeout=TIMEOUT).text
    website = re.search(r'name="website".*?<option value="(\d+)"', page, re.DOTALL).group(1)
    return {
        "csrfmiddlewaretoken": csrf_token(page),
        "website": website,
        "contact_email": "owner@example.com",
        "name": name,
        "marketplace": marketplace,
    }


def test_simultaneous_identical_add_store_posts_create_one_store_and_no_error(server):
    browser = _signed_in(server, "manager")
    form = _add_form(server, browser, "Double click store")

    def post(twin):
        return lambda: twin.post(f"{server.url}/stores/add/", data=form, allow_redirects=False, timeout=TIMEOUT)

    answers = _at_once([post(_copy(browser)) for _ in range(8)])

    statuses = Counter(getattr(answer, "status_code", type(answer).__name__) for answer in answers)
    assert set(statuses) <= {302, 400} and statuses[302] == 1, f"{statuses}\n{server.log_tail()}"
    for answer in answers:
        if answer.status_code == 400:
            assert "already exists" in answer.text or "was just added" in answer.text
    assert server.rows("SELECT count(*) FROM stores_amazonstore WHERE name = ?", "Double click store") == [(1,)]


def _consent(server: Server, sandbox: Sandbox, store_id: int, seller: str) -> tuple[requests.Session, dict]:
    """Sign in as a manager in a browser of its own, connect the store and consent; return the callback query."""
    browser = _signed_in(server, "manager")
    page = browser.get(f"{server.url}/amazon/stores/{store_id}/connect/", timeout=TIMEOUT).text
    consent = browser.post(
        f"{server.url}/amazon/stores/{store_id}/connect/start/",
        data={"csrfmiddlewaretoken": csrf_token(page)},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert consent.status_code == 303, consent.status_code
    params = {name: values[0] for name, values in parse_qs(urlsplit(consent.headers["Location"]).query).items()}
    back = sandbox.authorize(requests.Session(), login=seller, **params)
    return browser, {name: values[0] for name, values in back.items()}


def test_simultaneous_callbacks_connect_every_store_and_no_error(server):
    sellers = {
        "Callback US": ("US", "na-seller@example.com"),
        "Callback CA": ("CA", "na-seller@example.com"),
        "Callback MX": ("MX", "na-seller@example.com"),
        "Callback GB": ("GB", "eu-seller@example.com"),
        "Callback US only": ("US", "us-only-seller@example.com"),
    }
    browser = _signed_in(server, "manager")
    for name, (marketplace, _seller) in sellers.items():
        added = browser.post(f"{server.url}/stores/add/", data=_add_form(server, browser, name, marketplace))
        assert added.status_code == 200 and "You saved" in added.text, added.status_code
    ids = dict(server.rows("SELECT name, id FROM stores_amazonstore WHERE name LIKE 'Callback %'"))
    sandbox = Sandbox(server.url)
    # The consents may overlap too; only the callbacks below are released at the same instant.
    with ThreadPoolExecutor(max_workers=len(sellers)) as pool:
        flows = list(pool.map(lambda item: _consent(server, sandbox, ids[item[0]], item[1][1]), sellers.items()))
    assert len({query["state"] for _browser, query in flows}) == len(flows)

    def callback(browser, query):
        def run():
            back = browser.get(f"{server.url}/amazon/callback/", params=query, allow_redirects=False, timeout=TIMEOUT)
            result = browser.get(f"{server.url}/amazon/result/", allow_redirects=False, timeout=TIMEOUT)
            return back, result

        return run

    answers = _at_once([callback(browser, query) for browser, query in flows])

    failures = [answer for answer in answers if isinstance(answer, Exception)]
    assert not failures, f"{failures}\n{server.log_tail()}"
    statuses = Counter((back.status_code, result.status_code) for back, result in answers)
    assert statuses == {(303, 200): len(flows)}, f"{statuses}\n{server.log_tail()}"
    for _back, result in answers:
        assert "is connected to Amazon seller" in result.text
    connected = server.rows(
        "SELECT count(*) FROM sellerauth_storeconnection AS connection"
        " JOIN stores_amazonstore AS store ON store.id = connection.store_id WHERE store.name LIKE 'Callback %'"
    )
    assert connected == [(len(flows),)]

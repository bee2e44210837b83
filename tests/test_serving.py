"""Serving as in production: gunicorn with several workers, WhiteNoise's static files, the shared-cache check."""

import json
import os
import runpy
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from django.core.checks import Tags, run_checks

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(8100, 8110)
# What a load balancer or a TLS-terminating proxy in front of gunicorn sends for a client's https request.
HTTPS = {"X-Forwarded-Proto": "https"}
STATE = "sentinel-state-5b1e0c7d9a2f4e6b8c3d1a0f"
CODE = "sentinel-code-ANqzXr4Kd8Wm2Lp6Vt0Y"
# Two workers, as `make serve` runs several; no control socket, which would be shared with other gunicorns here.
GUNICORN = ["--workers", "2", "--no-control-socket"]


def _environment(**env):
    # Production-like: DEBUG off, the variables it requires, and none of the developer's .env.
    inherited = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return inherited | {
        "ASC_ENV_FILE": os.devnull,
        "DEBUG": "false",
        "SECRET_KEY": "p" * 20 + "-production-like-secret-key-with-enough-entropy-0123456789",
        "ASC_TOKEN_KEYS": "x" * 43 + "=",
        **env,
    }


def _manage(*args, **env):
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_environment(**env),
        capture_output=True,
        text=True,
        check=False,
    )


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {PORTS.start}-{PORTS.stop - 1} to start gunicorn on")


def _log_once_it_shows(output: Path, line: str) -> str:
    # A worker writes the access line after it has sent the response, so the client may read it first.
    deadline = time.monotonic() + 5
    while line not in (log := output.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert line in log, log
    return log


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Start `make serve`'s gunicorn (2 workers) on a migrated SQLite file, with collected static files."""
    folder = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
        "USE_X_FORWARDED_PROTO": "true",
        # A demo deployment: the sandbox with DEBUG off, so that its own static file is served too.
        "AMAZON_SANDBOX": "true",
        "AMAZON_SANDBOX_ALLOWED_WITHOUT_DEBUG": "true",
        "SITE_URL": f"https://127.0.0.1:{port}",
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        result = _manage(*command, "-v", "0", **env)
        assert result.returncode == 0, result.stdout + result.stderr
    output = folder / "gunicorn.log"
    with output.open("w") as log:
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                *GUNICORN,
            ],
            cwd=ROOT,
            env=_environment(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, output.read_text()
            try:
                if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.2)
        yield SimpleNamespace(url=url, output=output, static_root=folder / "static")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_gunicorn_serves_the_health_check_over_plain_http_with_two_workers(served):
    # No X-Forwarded-Proto: a load balancer asks the backend directly, and gets an answer, not a redirect to https.
    response = requests.get(f"{served.url}/healthz", timeout=5)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "cache": "ok"}}
    assert served.output.read_text().count("Booting worker with pid") == 2
    # Every other page still goes to https.
    assert requests.get(f"{served.url}/accounts/login/", allow_redirects=False, timeout=5).status_code == 301


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("css/app.css", ROOT / "static/css/app.css"),
        ("amazon_sandbox/css/sandbox.css", ROOT / "amazon_sandbox/static/amazon_sandbox/css/sandbox.css"),
    ],
)
def test_static_files_are_served_compressed_under_hashed_names_cached_for_good(served, name, source):
    hashed = json.loads((served.static_root / "staticfiles.json").read_text())["paths"][name]

    response = requests.get(f"{served.url}/static/{hashed}", headers={**HTTPS, "Accept-Encoding": "gzip"}, timeout=5)

    assert response.status_code == 200
    assert response.content == source.read_bytes()
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=315360000" in response.headers["Cache-Control"]


def test_pages_link_the_hashed_static_files(served):
    pages = {"/accounts/login/": "css/app.css", "/sandbox/sellercentral/ap/signin": "amazon_sandbox/css/sandbox.css"}
    manifest = json.loads((served.static_root / "staticfiles.json").read_text())["paths"]

    for path, name in pages.items():
        response = requests.get(f"{served.url}{path}", headers=HTTPS, timeout=5)

        assert response.status_code == 200, path
        assert f'href="/static/{manifest[name]}"' in response.text, path


def test_the_access_log_never_shows_the_callbacks_code_or_state(served):
    callback = f"{served.url}/amazon/callback/?state={STATE}&spapi_oauth_code={CODE}&selling_partner_id=A2NA"
    # The callback's result page loads its style sheet with the callback's URL as referrer.
    asset = f"{served.url}/static/css/app.css"

    assert requests.get(callback, headers=HTTPS, allow_redirects=False, timeout=5).status_code < 500
    assert requests.get(asset, headers={**HTTPS, "Referer": callback}, timeout=5).status_code == 200

    log = _log_once_it_shows(served.output, '"GET /static/css/app.css HTTP/1.1" 200')
    assert '"GET /amazon/callback/ HTTP/1.1"' in log
    assert STATE not in log
    assert CODE not in log


def test_gunicorns_own_log_lines_pass_through_the_secrets_filter(tmp_path):
    # Even with gunicorn's default access format, which has the whole request line and the referrer.
    from gunicorn.config import Config

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["Logger"](config)
    uri = f"/amazon/callback/?state={STATE}&spapi_oauth_code={CODE}"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "PATH_INFO": "/amazon/callback/",
        "QUERY_STRING": uri.partition("?")[2],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://asc.example.com{uri}",
    }
    try:
        logger.access(
            SimpleNamespace(status="303 See Other", sent=0, headers=[]),
            SimpleNamespace(headers=[]),
            environ,
            timedelta(milliseconds=12),
        )
        logger.error("Error handling request %s", uri)  # what a worker logs when the application raises
    finally:
        for log in (logger.error_log, logger.access_log):
            for handler in [h for h in log.handlers if getattr(h, "_gunicorn", False)]:
                log.removeHandler(handler)
                handler.close()
            log.filters.clear()

    lines = (tmp_path / "access.log").read_text() + (tmp_path / "error.log").read_text()
    assert "GET /amazon/callback/?state=" in lines
    assert "Error handling request /amazon/callback/" in lines
    assert STATE not in lines
    assert CODE not in lines


def test_the_deploy_check_fails_without_a_shared_cache_and_says_how_to_fix_it():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ALLOWED_HOSTS="asc.example.com",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.com:587",
        SPAPI_APPLICATION_ID="amzn1.sp.solution.11111111-2222-3333-4444-555555555555",
        LWA_CLIENT_ID="amzn1.application-oa2-client.0123456789abcdef",
        LWA_CLIENT_SECRET="s" * 64,
        AMAZON_REDIRECT_URI="https://asc.example.com/amazon/callback/",
        CACHE_URL="locmemcache://",
    )

    assert result.returncode != 0
    assert "asc_project.W001" in result.stderr
    assert "CACHE_URL=redis://" in result.stderr
    # It is the only complaint: the rest of this configuration passes (tests/test_project.py, with Redis).
    assert "System check identified 1 issue" in result.stderr


@pytest.mark.parametrize(
    ("backend", "ids"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", ["asc_project.W001"]),
        ("django.core.cache.backends.dummy.DummyCache", ["asc_project.W001"]),
        ("django.core.cache.backends.filebased.FileBasedCache", ["asc_project.W002"]),
        ("django.core.cache.backends.redis.RedisCache", []),
        ("django.core.cache.backends.db.DatabaseCache", []),
    ],
)
def test_the_deploy_check_names_caches_private_to_a_process_or_a_host(settings, tmp_path, backend, ids):
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": backend, "LOCATION": str(tmp_path)}}

    found = [
        m for m in run_checks(tags=[Tags.caches], include_deployment_checks=True) if m.id.startswith("asc_project.")
    ]

    assert [m.id for m in found] == ids
    assert all("CACHE_URL=redis://" in m.hint for m in found)


def test_the_deploy_check_leaves_the_development_server_alone(settings):
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert not [m for m in run_checks(tags=[Tags.caches]) if m.id.startswith("asc_project.")]


def test_the_gunicorn_configuration_loads_before_the_project_is_importable():
    # Gunicorn's master reads it before changing into the project's folder: it must not import the project then.
    code = "import runpy; runpy.run_path('gunicorn.conf.py')"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-I", "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr

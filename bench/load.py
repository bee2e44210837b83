"""
The load run: gunicorn serving the application (as `make serve` does) on a scratch PostgreSQL database, with Redis
and the embedded sandbox, driven by locust, headless and bounded.

It seeds stores, authorizations and users, starts gunicorn with gunicorn.conf.py on 127.0.0.1 (port 8130-8139),
then runs locust phase after phase with the same number of users and no think time: the minimal view alone (the
baseline: the same server and middleware, signed in, two bytes), the home page alone, a store dashboard alone and
Current Authorizations alone; then the mix, signed-in users browsing those pages while others connect stores
through the sandbox's consent pages (sign-in, two-factor code, consent, callback). It prints throughput and p50/p95
of each, the ratios to the minimal view, every 5xx the server logged, and checks the database afterwards: one
authorization per seller and region, no store connection pointing nowhere, every connect attempt consumed, every
sandbox code redeemed, each connected store linked to its seller with the refresh token the sandbox honours.

Usage: `make load` (30 s phases), `make bench` (10 s phases, from bench/__main__.py), `.ci/run`
(`python -m bench.load --ci`: the mix alone, 10 s, 8 users). It exits with 1 on any 5xx, failed request or
integrity problem. Environment: LOAD_DATABASE_URL (else BENCH_DATABASE_URL when it is PostgreSQL, else
postgres://postgres@127.0.0.1:5432/asc): the server, on which the scratch database test_<name>_load is created and
dropped; LOAD_CACHE_URL (redis://127.0.0.1:6379/14, emptied); LOAD_CONN_MAX_AGE (60); LOAD_WORKERS (gunicorn's
default of gunicorn.conf.py); LOAD_USERS (20); LOAD_STORES (1000).
"""

import argparse
import json
import math
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
PORTS = range(8130, 8140)
SANDBOX_PASSWORD = "sandbox"  # noqa: S105  (the sandbox's published demo password)
# Which sandbox seller each connecting user signs in as, in turn: two at once for the same seller (their consents
# are exchanged one after the other, and the token Amazon issued last is kept), one for Europe.
SELLERS = ["na-seller@example.com", "eu-seller@example.com", "na-seller@example.com"]
PAGES = {  # phase: (locust user class, row name)
    "minimal view": ("MinimalUser", "minimal view"),
    "home page": ("HomeUser", "home page"),
    "store dashboard": ("DashboardUser", "store dashboard"),
    "Current Authorizations": ("AuthorizationsUser", "Current Authorizations"),
}
MIX_ROWS = ["home page", "store dashboard", "Current Authorizations", "callback", "connect flow"]
GOAL_THROUGHPUT, GOAL_P95 = 0.40, 3.0


def _database_url() -> str:
    if os.environ.get("LOAD_DATABASE_URL"):
        return os.environ["LOAD_DATABASE_URL"]
    if os.environ.get("BENCH_DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return os.environ["BENCH_DATABASE_URL"]
    return "postgres://postgres@127.0.0.1:5432/asc"


# Settings that would send the application elsewhere than the sandbox of the server under load.
AMAZON_OVERRIDES = [
    "SPAPI_APPLICATION_ID",
    "LWA_CLIENT_ID",
    "LWA_CLIENT_SECRET",
    "AMAZON_REDIRECT_URI",
    "AMAZON_APP_IS_DRAFT",
    "AMAZON_LWA_TOKEN_URL",
    "SPAPI_ENDPOINT_NA",
    "SPAPI_ENDPOINT_EU",
    "SPAPI_ENDPOINT_FE",
    "AMAZON_SELLER_CENTRAL_URLS",
]


def _setup() -> None:
    """Configure this process as the server will be (a fresh secret and token key), then set Django up."""
    from cryptography.fernet import Fernet

    for name in AMAZON_OVERRIDES:
        os.environ.pop(name, None)
    os.environ.update(
        {
            "ASC_ENV_FILE": os.devnull,  # the run's own settings only, whatever a .env says
            "DJANGO_SETTINGS_MODULE": "bench.load_settings",
            "DATABASE_URL": _database_url(),
            "CACHE_URL": os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/14"),
            # Database connections kept between requests, as the README's production example has it.
            "CONN_MAX_AGE": os.environ.get("LOAD_CONN_MAX_AGE", "60"),
            # The sandbox over plain http, as `make run` has it: the application allows that only with DEBUG on.
            "DEBUG": "true",
            "AMAZON_SANDBOX": "true",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ASC_TOKEN_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_URL": "consolemail://",
            "TASKS_BACKEND": "immediate",
            "LOG_LEVEL": "WARNING",
            # collectstatic fills it before gunicorn starts, as `make serve` does.
            "STATIC_ROOT": tempfile.mkdtemp(prefix="asc-load-static-"),
            # Every connection of the run calls getMarketplaceParticipations once: lift the sandbox's usage plan.
            "AMAZON_SANDBOX_USAGE_PLANS": json.dumps({"getMarketplaceParticipations": {"rate": 1000, "burst": 1000}}),
        }
    )
    import django

    django.setup()


# Seeding ---------------------------------------------------------------------------------------------------


def _session(user) -> str:
    """Save a signed-in session for the user, as the sign-in form would; return its key."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    backend = next(path for path in settings.AUTHENTICATION_BACKENDS if path.endswith("ModelBackend"))
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session.update(
        {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: user.get_session_auth_hash()}
    )
    session.create()
    return session.session_key


def _users(prefix: str, count: int, group) -> list:
    from django.contrib.auth import get_user_model

    users = []
    for number in range(count):
        user = get_user_model()(username=f"{prefix}{number:02d}", email=f"{prefix}{number:02d}@example.com")
        user.set_unusable_password()  # signed in through the sessions made here: no password hashing in the run
        user.save()
        user.groups.add(group)
        users.append(user)
    return users


def _stores(names_and_markets: list[tuple[str, str]], websites) -> list:
    from stores.models import AmazonStore, name_key

    stores = [
        AmazonStore(
            name=name,
            name_key=name_key(name),
            website=websites[number % len(websites)],
            contact_email=f"store{number}@example.com",
            marketplace=market,
            is_active=number % 9 != 0,
        )
        for number, (name, market) in enumerate(names_and_markets)
    ]
    return AmazonStore.objects.bulk_create(stores, batch_size=1000)


def _authorizations(stores) -> int:
    """Link the stores two by two (same region) to authorizations of made-up sellers, expiring all year round."""
    from django.utils import timezone

    from sellerauth.models import AuthorizationState, SellerAuthorization, StoreConnection
    from sellerauth.token_vault import token_encrypt

    by_region: dict[str, list] = {}
    for store in stores[: len(stores) * 2 // 5]:
        by_region.setdefault(store.marketplace_info.region, []).append(store)
    now, count = timezone.now(), 0
    for region, members in by_region.items():
        for first in range(0, len(members) - 1, 2):
            granted = now - timedelta(days=(count * 7) % 380)  # some renewal due, a few expired
            state = AuthorizationState.NEEDS_REAUTHORIZATION if count % 31 == 0 else AuthorizationState.ACTIVE
            authorization = SellerAuthorization.objects.create(
                selling_partner_id=f"A1LOAD{count:08d}",
                region=region,
                seller_store_name=f"Load Seller {count}",
                refresh_token_encrypted=token_encrypt(f"Atzr|load-seller-{count}"),
                granted_at=granted,
                expires_at=granted + timedelta(days=365),
                state=state,
                marketplace_ids=[members[first].marketplace_info.marketplace_id],
            )
            StoreConnection.objects.bulk_create(
                StoreConnection(store=store, authorization=authorization) for store in members[first : first + 2]
            )
            count += 1
    return count


def seed(*, stores: int, users: int, connecting: int, sellers: list[str]) -> dict:
    """Fill the scratch database; return the plan the locust users follow."""
    from django.conf import settings
    from django.db import connection

    from amazon_sandbox.models import SandboxSeller
    from sellerauth.roles import roles_ensure
    from stores.models import Website

    groups = roles_ensure()
    websites = [
        Website.objects.get_or_create(code=code, defaults={"name": name, "default_store_view": "Default"})[0]
        for code, name in (("base", "Main Website"), ("outlet", "Outlet Website"))
    ]
    markets = ["US", "CA", "MX", "GB"]
    seeded = _stores([(f"Load Store {n:05d}", markets[n % 4]) for n in range(stores)], websites)
    authorizations = _authorizations(seeded)
    plan_sellers = []
    for login in dict.fromkeys(SELLERS):
        seller = SandboxSeller.objects.get(email=login)
        tag = seller.selling_partner_id
        names = [(f"Sandbox {tag} Store {n:02d}", seller.marketplaces[n % len(seller.marketplaces)]) for n in range(12)]
        own = _stores(names, websites)
        plan_sellers.append({"login": login, "password": SANDBOX_PASSWORD, "stores": [store.pk for store in own]})
    order = {seller["login"]: seller for seller in plan_sellers}
    browsing = _users("viewer", users, groups["Amazon channel viewers"]) + _users(
        "authstaff", 5, groups["Amazon authorization staff"]
    )
    managers = _users("manager", max(connecting, 1), groups["Amazon channel managers"])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "sessions": {"browse": [_session(u) for u in browsing], "connect": [_session(u) for u in managers]},
        "dashboards": [store.pk for store in seeded],
        "authorization_pages": max(1, math.ceil(authorizations / 25)),
        "sellers": [order[login] for login in sellers],
        "counts": {"stores": stores, "authorizations": authorizations},
    }


# The server and locust -------------------------------------------------------------------------------------


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"No free port in {PORTS.start}-{PORTS.stop - 1} on 127.0.0.1 for the load run's server.")


def _server_environment(url: str) -> dict[str, str]:
    from django.db import connection

    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{credentials}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "SITE_URL": url,
    }


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within 60 s")


def _warm_up(url: str, plan: dict, workers: int) -> None:
    """Ask each page a few times per worker, so that no phase pays for the first requests of a process."""
    cookie = f"{plan['session_cookie']}={plan['sessions']['browse'][0]}"
    paths = ["/bench/minimal/", "/", f"/stores/{plan['dashboards'][0]}/", "/amazon/authorizations/"]
    for _ in range(3 * workers):
        for path in paths:
            request = urllib.request.Request(f"{url}{path}", headers={"Cookie": cookie})  # noqa: S310
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                response.read()


def _locust(url: str, folder: Path, name: str, classes: list[str], *, users: int, seconds: int, reset: bool) -> dict:
    """Run locust headless for one phase; return its figures by request name, its failures and the connections."""
    prefix = folder / name.replace(" ", "_")
    summary = Path(f"{prefix}.json")
    command = [
        sys.executable,
        "-m",
        "locust",
        "--locustfile",
        str(BASE_DIR / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        url,
        "--users",
        str(users),
        "--spawn-rate",
        str(max(users // 2, 1)),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "60",  # a connection under way is finished, so that every attempt ends before the database is checked
        "--only-summary",
        "--loglevel",
        "WARNING",
        *(["--reset-stats"] if reset else []),
        *classes,
    ]
    environment = {**os.environ, "LOAD_SUMMARY": str(summary)}
    with open(f"{prefix}.log", "w") as log:
        subprocess.run(command, cwd=BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT, check=False)  # noqa: S603
    if not summary.exists():
        raise SystemExit(f"locust wrote no summary; see {prefix}.log")
    return json.loads(summary.read_text())


def _figures(row: dict) -> tuple[float, float, float, int]:
    """Return a row's requests a second, p50 and p95 in milliseconds, and its request count."""
    return row["rps"], row["p50"], row["p95"], row["requests"]


def _stop(server: subprocess.Popen) -> None:
    """Stop gunicorn (SIGTERM: its workers finish their requests), or kill it when it does not stop."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _statuses(access_log: Path) -> Counter:
    """Count the answers of the server by status, from gunicorn's access log (the sandbox's own calls too)."""
    status = re.compile(r'" (\d{3}) ')
    return Counter(match.group(1) for line in access_log.open() if (match := status.search(line)))


# The database afterwards ---------------------------------------------------------------------------------


def integrity_problems(*, plan: dict, outcomes: dict) -> tuple[list[str], list[str]]:
    """Check the database after the run; return the checks made and the problems found."""
    from django.db.models import Count, Q

    from amazon_sandbox.models import AuthorizationCode, RefreshToken, SandboxSeller
    from amazon_sandbox.tokens import token_hash
    from sellerauth.models import AuthorizationRequest, SellerAuthorization, StoreConnection
    from sellerauth.token_vault import token_decrypt
    from stores.models import AmazonStore, StoreEvent

    checks, problems = [], []

    def check(what: str, bad) -> None:
        checks.append(what)
        if bad:
            problems.append(f"{what}: {bad}")

    duplicates = (
        SellerAuthorization.objects.values("selling_partner_id", "region").annotate(n=Count("pk")).filter(n__gt=1)
    )
    check("one authorization per seller and region", list(duplicates))
    check(
        "every store connection points at an existing store and authorization",
        [
            *StoreConnection.objects.exclude(store_id__in=AmazonStore.objects.values("pk")).values_list(
                "pk", flat=True
            ),
            *StoreConnection.objects.exclude(authorization_id__in=SellerAuthorization.objects.values("pk")).values_list(
                "pk", flat=True
            ),
        ],
    )
    seeded = plan["counts"]["authorizations"]
    check(
        "the seeded authorizations and their links are untouched",
        ""
        if SellerAuthorization.objects.filter(selling_partner_id__startswith="A1LOAD").count() == seeded
        and StoreConnection.objects.filter(authorization__selling_partner_id__startswith="A1LOAD").count() == 2 * seeded
        else "rows changed",
    )
    check(
        "every connect attempt of a finished flow was consumed",
        list(AuthorizationRequest.objects.filter(consumed_at__isnull=True).values_list("pk", "store_id")),
    )
    attempts, flows = AuthorizationRequest.objects.count(), len(outcomes["connected"]) + len(outcomes["failed"])
    check("one connect attempt per connection made", "" if attempts == flows else f"{attempts} for {flows} flows")
    check(
        "every authorization code the sandbox issued was redeemed, once",
        list(AuthorizationCode.objects.filter(used_at__isnull=True).values_list("pk", flat=True)),
    )
    connected = set(outcomes["connected"])
    for details in {seller["login"]: seller for seller in plan["sellers"]}.values():
        seller = SandboxSeller.objects.get(email=details["login"])
        mine = set(details["stores"]) & connected
        if not mine:
            continue
        authorization = SellerAuthorization.objects.filter(
            selling_partner_id=seller.selling_partner_id, region=seller.region
        ).first()
        check(f"{seller.selling_partner_id} has its authorization", "" if authorization else "none")
        if authorization is None:
            continue
        linked = set(
            StoreConnection.objects.filter(store_id__in=details["stores"], authorization=authorization).values_list(
                "store_id", flat=True
            )
        )
        check(f"each store {seller.selling_partner_id} connected is linked to it", sorted(mine - linked))
        check(
            f"{seller.selling_partner_id}'s stores link to no other authorization",
            list(
                StoreConnection.objects.filter(store_id__in=details["stores"])
                .exclude(authorization=authorization)
                .values_list("store_id", flat=True)
            ),
        )
        check(
            f"{seller.selling_partner_id}: active, its store name recorded",
            ""
            if authorization.state == "active" and authorization.seller_store_name == seller.store_name
            else f"{authorization.state}, {authorization.seller_store_name!r}",
        )
        honoured = RefreshToken.objects.filter(authorization__seller=seller)
        stored = token_hash(token_decrypt(authorization.refresh_token_encrypted))
        check(
            f"{seller.selling_partner_id}'s stored refresh token is one the sandbox honours",
            ""
            if honoured.filter(token_hash=stored).exists()
            else (
                f"the sandbox ended it at a later consent: the token stored at {authorization.granted_at:%H:%M:%S.%f} "
                f"is not among those it honours, issued at "
                f"{', '.join(f'{token.issued_at:%H:%M:%S.%f}' for token in honoured) or 'none'}"
            ),
        )
    firsts = (
        StoreEvent.objects.filter(kind=StoreEvent.Kind.CONNECTED)
        .values("store_id")
        .annotate(n=Count("pk"))
        .filter(Q(n__gt=1))
    )
    check("no store was connected twice from nothing (one Connected entry each)", list(firsts))
    return checks, problems


# Reporting -------------------------------------------------------------------------------------------------


def _table(rows: list[tuple[str, tuple]]) -> None:
    print(f"  {'':<26}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'requests':>10}")
    for name, (rate, p50, p95, count) in rows:
        print(f"  {name:<26}{rate:>9.1f}{p50:>9.0f}{p95:>9.0f}{count:>10}")


def run_phases(*, url: str, folder: Path, plan: dict, args) -> tuple[list[str], dict]:
    """Run the phases; print their figures; return the failures locust saw and the connecting users' outcomes."""
    failures = []
    if not args.ci:
        print(f"\n  Each page alone, {args.users} users, no think time, {args.seconds} s after ramp-up:")
        figures = {}
        for phase, (user_class, row) in PAGES.items():
            result = _locust(url, folder, phase, [user_class], users=args.users, seconds=args.seconds, reset=True)
            failures += result["failures"]
            figures[phase] = _figures(result["rows"][row])
        _table(list(figures.items()))
        base = figures["minimal view"]
        print("\n  Ratios to the minimal view (throughput: share of its requests a second; p95: multiple of its p95):")
        for phase in list(PAGES)[1:]:
            share, times = figures[phase][0] / base[0], figures[phase][2] / base[2]
            goal = f"  (goal: at least {GOAL_THROUGHPUT:.2f}, at most {GOAL_P95:.0f}×)" if phase == "home page" else ""
            print(f"  {phase:<26}throughput {share:.2f}, p95 {times:.1f}×{goal}")
    users, seconds = (8, 10) if args.ci else (args.users, args.mix_seconds)
    result = _locust(url, folder, "mix", ["BrowsingUser", "ConnectingUser"], users=users, seconds=seconds, reset=False)
    failures += result["failures"]
    outcomes = result["outcomes"]
    connecting = int(os.environ["LOAD_CONNECTING_USERS"])
    print(
        f"\n  The mix, {users} users ({connecting} connecting stores through the sandbox, the others browsing), "
        f"{seconds} s:"
    )
    _table([(name, _figures(result["rows"][name])) for name in MIX_ROWS if name in result["rows"]])
    total = _figures(result["rows"]["Aggregated"])
    flows = len(outcomes["connected"]) + len(outcomes["failed"])
    print(f"  all requests: {total[0]:.1f}/s; {flows} connections ({len(outcomes['failed'])} failed)")
    return failures, outcomes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="The load run (bench/load.py).")
    parser.add_argument("--seconds", type=int, default=30, help="seconds of each page's phase")
    parser.add_argument("--mix-seconds", type=int, default=None, help="seconds of the mix (default: --seconds)")
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", 20)))
    parser.add_argument("--ci", action="store_true", help="the mix alone, 10 s, 8 users: the short form for CI")
    args = parser.parse_args(argv)
    args.mix_seconds = args.mix_seconds or args.seconds
    _setup()

    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import OperationalError, connection

    connection.settings_dict["TEST"]["NAME"] = f"test_{connection.settings_dict['NAME']}_load"
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    except OperationalError as error:
        print(f"\nLoad run not run: no PostgreSQL at {_database_url()} ({error}).")
        return 1
    server = None
    try:
        try:
            cache.clear()
            cache_name = "Redis"
        except Exception:  # no Redis: each process keeps its own cache, as the development default does
            os.environ["CACHE_URL"] = "locmemcache://"
            cache_name = "local memory (no Redis at LOAD_CACHE_URL)"
        connecting = 3
        os.environ["LOAD_CONNECTING_USERS"] = str(connecting)
        stores = int(os.environ.get("LOAD_STORES", 1000))
        plan = seed(stores=stores, users=args.users, connecting=connecting, sellers=SELLERS)
        call_command("collectstatic", interactive=False, verbosity=0)
        folder = Path(tempfile.mkdtemp(prefix="asc-load-"))
        (folder / "plan.json").write_text(json.dumps(plan))
        os.environ["LOAD_PLAN"] = str(folder / "plan.json")
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        workers = int(os.environ.get("LOAD_WORKERS", 2 * (os.cpu_count() or 1) + 1))
        log = folder / "gunicorn.log"
        command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
        command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        with log.open("w") as output:
            server = subprocess.Popen(  # noqa: S603
                command, cwd=BASE_DIR, env=_server_environment(url), stdout=output, stderr=subprocess.STDOUT
            )
        _wait_until_up(url, server, log)
        _warm_up(url, plan, workers)
        database = settings.DATABASES["default"]
        print(
            f"\nLoad run: gunicorn with {workers} sync workers at {url}, PostgreSQL ({database['NAME']}, "
            f"CONN_MAX_AGE={database['CONN_MAX_AGE']}), cache: {cache_name}, the sandbox on "
            f"(DEBUG on, for its plain http); {stores:,} stores, {plan['counts']['authorizations']} authorizations; "
            "locust and the server share this machine's cores."
        )
        failures, outcomes = run_phases(url=url, folder=folder, plan=plan, args=args)
        _stop(server)
        statuses = _statuses(log)
        errors = sum(count for status, count in statuses.items() if status.startswith("5"))
        print(f"  answers by status (gunicorn's access log): {dict(sorted(statuses.items()))}; 5xx: {errors}")
        for failure in failures:
            print(f"  failed: {failure}")
        checks, problems = integrity_problems(plan=plan, outcomes=outcomes)
        print(f"  integrity: {len(checks) - len(problems)} of {len(checks)} checks passed")
        for problem in problems:
            print(f"  integrity problem: {problem}")
        if errors or failures or problems:
            print(f"  The load run FAILED; its logs are in {folder}")
            return 1
        return 0
    finally:
        if server is not None:
            _stop(server)
        connection.close()
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def run(*, seconds: int = 10) -> None:
    """Run the load run in its own process (its own settings and database) from `make bench`; stop on failure."""
    environment = {
        name: value for name, value in os.environ.items() if name not in {"DJANGO_SETTINGS_MODULE", "BENCH_DB_NAME"}
    }
    command = [sys.executable, "-m", "bench.load", "--seconds", str(seconds)]
    if subprocess.run(command, cwd=BASE_DIR, env=environment, check=False).returncode:  # noqa: S603
        raise SystemExit("The load run failed (see above).")


if __name__ == "__main__":
    sys.exit(main())

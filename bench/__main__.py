"""
Benchmark the Amazon Sales Channel home page against the Django admin and a floor, side by side.

Seeds 10,000 stores in a scratch database, then times, round after round in rotating order: the home page
(24 cards), the Django admin changelist of the same stores at the same page size, and a floor view that
returns a stored copy of the home page's HTML through the same middleware. Prints medians, 95th
percentiles and ratios. Then times the Amazon callback's own work, and counts the LWA refreshes that 50
simultaneous API calls from 2 processes cause (PostgreSQL and Redis only), and the reminder sweep over 10,000
and 100,000 authorizations with 300 reminders due (bench/reminders.py). Last, the load run (bench/load.py, in its
own process and scratch PostgreSQL database): locust against gunicorn, each page's throughput and p50/p95 beside
the minimal view's.

Usage: `make bench` (SQLite in a temporary folder), or
BENCH_DATABASE_URL=postgres://…/asc BENCH_CACHE_URL=redis://127.0.0.1:6379/15 make bench
(a scratch database test_asc on that server, dropped afterwards; the Redis database is emptied).
"""

import os
import statistics
import sys
import time

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

import django

django.setup()

from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench import callback, load, refresh, reminders  # noqa: E402
from bench.stats import summary  # noqa: E402
from bench.urls import FLOOR  # noqa: E402
from stores.marketplaces import ALL_CODES  # noqa: E402
from stores.models import AmazonStore, Website, name_key  # noqa: E402

STORES = int(os.environ.get("BENCH_STORES", 10_000))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 200))
WARMUP = 20


def seed():
    if os.environ.get("BENCH_DATABASE_URL"):
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", verbosity=0)
    websites = [
        Website.objects.get_or_create(code=code, defaults={"name": name, "default_store_view": "Default"})[0]
        for code, name in (("base", "Main Website"), ("outlet", "Outlet Website"))
    ]
    stores = []
    for i in range(STORES):
        name = f"Amazon Store {i:05d}"
        stores.append(
            AmazonStore(
                name=name,
                name_key=name_key(name),
                website=websites[i % 2],
                contact_email=f"store{i}@example.com",
                marketplace=ALL_CODES[i % len(ALL_CODES)],
                is_active=i % 7 != 0,
            )
        )
    AmazonStore.objects.bulk_create(stores, batch_size=1000)
    # A live table has statistics and a visibility map (autovacuum keeps them); give the fresh one the same.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def timed(client, url):
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    if response.status_code != 200:
        sys.exit(f"{url} answered {response.status_code}")
    return elapsed


def main():
    started = time.perf_counter()
    user = seed()
    print(
        f"Seeded {AmazonStore.objects.count():,} stores on {connection.vendor} in {time.perf_counter() - started:.1f} s"
    )
    admin.site._registry[AmazonStore].list_per_page = 24  # the home page's page size
    client = Client()
    client.force_login(user)
    urls = {
        "home page (24 cards)": reverse("stores:home"),
        "admin changelist (24 rows)": reverse("admin:stores_amazonstore_changelist"),
        "floor (stored HTML)": reverse("bench_floor"),
    }
    FLOOR["html"] = client.get(urls["home page (24 cards)"]).content
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"  {name}: {len(queries)} queries")

    samples = {name: [] for name in urls}
    names = list(urls)
    for round_number in range(WARMUP + ROUNDS):
        order = names[round_number % 3 :] + names[: round_number % 3]  # rotate, so no page always runs first
        for name in order:
            elapsed = timed(client, urls[name])
            if round_number >= WARMUP:
                samples[name].append(elapsed * 1000)

    print(f"\n{ROUNDS} rounds after {WARMUP} warm-up rounds, milliseconds:")
    print(f"  {'page':<28}{'median':>9}{'p95':>9}")
    for name, values in samples.items():
        print(f"  {name:<28}{summary(values)}")
    home, admin_list, floor = (statistics.median(samples[name]) for name in names)
    print("\nRatios of medians:")
    print(f"  home / admin changelist = {home / admin_list:.2f}  (goal: at most 1.00)")
    print(f"  home / floor            = {home / floor:.2f}  (goal: at most 3.00)")
    callback.run(user, rounds=ROUNDS, warmup=WARMUP)
    refresh.run()
    reminders.run()
    if os.environ.get("BENCH_DATABASE_URL"):
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    load.run(seconds=10)


if __name__ == "__main__":
    main()

"""
The reminder sweep over many authorizations with a few hundred due: its time next to a plain indexed query
selecting the due rows, and its query count at two sizes with the same reminders due (it should grow with the
reminders sent, not with the authorizations).
"""

import os
import statistics
import time
from datetime import datetime, timedelta
from datetime import time as clock

SIZES = [int(size) for size in os.environ.get("BENCH_REMINDER_SIZES", "10000,100000").split(",")]
DUE = 300  # a reminder due today: 60 on each offset day
REMINDED = 200  # within the window, their reminder already sent
ROUNDS = int(os.environ.get("BENCH_REMINDER_ROUNDS", 100))


def _seed_far(*, start: int, stop: int) -> None:
    """Add the authorizations numbered start to stop, expiring 65 to 365 days from now: outside the window."""
    from django.utils import timezone

    from sellerauth.models import SellerAuthorization

    now = timezone.now()
    rows = [
        SellerAuthorization(
            selling_partner_id=f"ABENCHFAR{number:08d}",
            region="NA",
            granted_at=now - timedelta(days=number % 300),
            expires_at=now - timedelta(days=number % 300) + timedelta(days=365),
            marketplace_ids=["ATVPDKIKX0DER"],
        )
        for number in range(start, stop)
    ]
    SellerAuthorization.objects.bulk_create(rows, batch_size=2000)


def _seed_window() -> None:
    """Add the authorizations within the reminder window, each due one with a store and its contact address."""
    from django.utils import timezone

    from sellerauth.models import ReminderDelivery, SellerAuthorization, StoreConnection
    from sellerauth.reminders import OFFSETS
    from stores.models import AmazonStore, Website, name_key

    today = timezone.localdate()
    website = Website.objects.first()
    authorizations, deliveries = [], []
    for number in range(DUE + REMINDED):
        offset = OFFSETS[number % len(OFFSETS)]
        expires_at = timezone.make_aware(datetime.combine(today + timedelta(days=offset), clock(12)))
        authorizations.append(
            SellerAuthorization(
                selling_partner_id=f"ABENCHDUE{number:08d}",
                region="NA",
                granted_at=expires_at - timedelta(days=365),
                expires_at=expires_at,
            )
        )
    SellerAuthorization.objects.bulk_create(authorizations)
    stores = []
    for number in range(DUE):
        name = f"Bench reminder store {number:04d}"
        stores.append(
            AmazonStore(
                name=name,
                name_key=name_key(name),
                website=website,
                contact_email=f"r{number}@example.com",
                marketplace="US",
            )
        )
    AmazonStore.objects.bulk_create(stores)
    StoreConnection.objects.bulk_create(
        StoreConnection(store=store, authorization=authorization)
        for store, authorization in zip(stores, authorizations, strict=False)
    )
    for authorization in authorizations[DUE:]:
        deliveries.append(
            ReminderDelivery(
                authorization=authorization,
                kind="reminder",
                expires_on=timezone.localdate(authorization.expires_at),
                offset_days=(authorization.expires_at.date() - today).days,
                status="sent",
            )
        )
    ReminderDelivery.objects.bulk_create(deliveries)


def _forget_sent() -> None:
    """Undo what a real sweep sent, so that the next size has the same reminders due."""
    from sellerauth.models import ReminderDelivery
    from stores.models import StoreEvent

    ReminderDelivery.objects.filter(authorization__connections__isnull=False).delete()
    StoreEvent.objects.filter(kind=StoreEvent.Kind.REMINDER_SENT).delete()


def _medians_ms(*works) -> list[float]:
    """Time the works round after round in rotating order (so that none always runs first); return medians."""
    samples = [[] for _ in works]
    for round_number in range(ROUNDS):
        for index in [(round_number + shift) % len(works) for shift in range(len(works))]:
            started = time.perf_counter()
            works[index]()
            samples[index].append((time.perf_counter() - started) * 1000)
    return [statistics.median(values) for values in samples]


def _measure() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils import timezone

    from sellerauth.models import AuthorizationState, SellerAuthorization
    from sellerauth.reminders import OFFSETS, _day_start, reminders_send

    today = timezone.localdate()

    def plain():
        # The floor: the due rows by the index on (expires_at, state), nothing else.
        return list(
            SellerAuthorization.objects.filter(
                state=AuthorizationState.ACTIVE,
                expires_at__gte=_day_start(today),
                expires_at__lt=_day_start(today + timedelta(days=max(OFFSETS) + 1)),
            ).values_list("pk", "expires_at")
        )

    def rows():
        # The same rows as model instances, as a view would read them.
        return list(
            SellerAuthorization.objects.filter(
                state=AuthorizationState.ACTIVE,
                expires_at__gte=_day_start(today),
                expires_at__lt=_day_start(today + timedelta(days=max(OFFSETS) + 1)),
            )
        )

    due = len(plain())
    plain_ms, rows_ms, dry_ms = _medians_ms(plain, rows, lambda: reminders_send(dry_run=True))
    locmem = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with override_settings(MAILERS=locmem), CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        counts = reminders_send()
        sent_ms = (time.perf_counter() - started) * 1000
    with CaptureQueriesContext(connection) as idle_queries:
        started = time.perf_counter()
        reminders_send()
        idle_ms = (time.perf_counter() - started) * 1000
    print(f"  {SellerAuthorization.objects.count():,} authorizations, {due} within the window:")
    print(f"    plain indexed query of the due rows' IDs and expiry  {plain_ms:9.2f} ms (medians of {ROUNDS})")
    print(f"    the same rows as model instances                     {rows_ms:9.2f} ms")
    print(
        f"    sweep, --dry-run                                     {dry_ms:9.2f} ms   "
        f"ratios {dry_ms / plain_ms:.2f} and {dry_ms / rows_ms:.2f} (goal: at most 3)"
    )
    print(
        f"    sweep sending {counts.sent} reminders (locmem mail)            {sent_ms:9.2f} ms   {len(queries)} queries"
    )
    print(f"    sweep again, nothing left to send                    {idle_ms:9.2f} ms   {len(idle_queries)} queries")


def run() -> None:
    from django.db import connection

    from sellerauth.models import SellerAuthorization

    print(f"\nReminder sweep with {DUE} reminders due ({REMINDED} more within the window already sent):")
    _seed_window()
    for size in SIZES:
        far = SellerAuthorization.objects.count() - DUE - REMINDED
        _seed_far(start=far, stop=size - DUE - REMINDED)
        with connection.cursor() as cursor:  # statistics, as autovacuum keeps them on a live table
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        _measure()
        _forget_sent()

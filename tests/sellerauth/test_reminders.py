"""Renewal reminders and the notice of a lost authorization: each e-mail once, failures recorded and retried."""

import smtplib
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.db.models import FilteredRelation, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sellerauth.models import (
    AuthorizationState,
    DeliveryStatus,
    ReminderDelivery,
    ReminderKind,
    SellerAuthorization,
    StoreConnection,
)
from sellerauth.reminders import _window_rows, lost_notice_send, reminders_send
from stores.models import StoreEvent
from tests.factories import AmazonStoreFactory

EXPIRY = datetime(2027, 3, 31, 10, 0, tzinfo=UTC)
REFUSED = "refused@example.com"


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses one address and delivers everything else to the test outbox."""

    def send_messages(self, messages):
        for message in messages:
            if REFUSED in message.to:
                raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"5.1.1 mailbox unavailable")})
        return LocmemBackend(alias=self.alias).send_messages(messages)


def _authorization(
    expires_at=EXPIRY, *, seller="A2REMINDER0001", state=AuthorizationState.ACTIVE, emails=("ops@example.com",)
):
    authorization = SellerAuthorization.objects.create(
        selling_partner_id=seller,
        region="NA",
        seller_store_name="Northwind Outfitters",
        granted_at=expires_at - timedelta(days=365),
        expires_at=expires_at,
        state=state,
    )
    for email in emails:
        StoreConnection.objects.create(store=AmazonStoreFactory(contact_email=email), authorization=authorization)
    return authorization


def _morning(days_before: int, expiry: datetime = EXPIRY) -> datetime:
    return datetime.combine(expiry.date() - timedelta(days=days_before), time(6), tzinfo=UTC)


@pytest.fixture
def refusing_mailer(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.sellerauth.test_reminders.RefusingBackend"}}


def test_each_offset_is_sent_once_and_only_once_across_reruns(db, mailoutbox):
    sent_on = []
    with time_machine.travel(_morning(60), tick=False) as traveller:
        authorization = _authorization()
        for days_before in range(40, -3, -1):
            traveller.move_to(_morning(days_before))
            for _ in range(2):  # a rerun the same day sends nothing more
                before = len(mailoutbox)
                reminders_send()
                sent_on += [days_before] * (len(mailoutbox) - before)

    assert sent_on == [30, 14, 7, 1, 0]
    rows = ReminderDelivery.objects.filter(authorization=authorization)
    assert sorted(rows.values_list("offset_days", flat=True)) == [0, 1, 7, 14, 30]
    assert set(rows.values_list("status", "attempts", "expires_on")) == {(DeliveryStatus.SENT, 1, EXPIRY.date())}


def test_a_missed_day_sends_only_the_latest_reminder_due(db, mailoutbox):
    with time_machine.travel(_morning(60), tick=False) as traveller:
        authorization = _authorization()
        for days_before in (20, 10, 3):
            traveller.move_to(_morning(days_before))
            reminders_send()

    assert [message.subject for message in mailoutbox] == [
        "Amazon authorization of seller A2REMINDER0001 expires in 20 days: renew it",
        "Amazon authorization of seller A2REMINDER0001 expires in 10 days: renew it",
        "Amazon authorization of seller A2REMINDER0001 expires in 3 days: renew it",
    ]
    offsets = ReminderDelivery.objects.filter(authorization=authorization).values_list("offset_days", flat=True)
    assert sorted(offsets) == [7, 14, 30]


def test_the_day_of_expiry_reminder_goes_out_until_the_day_ends(db, mailoutbox):
    with time_machine.travel(_morning(60), tick=False) as traveller:
        _authorization()
        traveller.move_to(datetime.combine(EXPIRY.date(), time(23, 30), tzinfo=UTC))  # expired at 10:00 today
        reminders_send()
        traveller.move_to(datetime.combine(EXPIRY.date() + timedelta(days=1), time(0, 30), tzinfo=UTC))
        reminders_send()

    assert [message.subject for message in mailoutbox] == [
        "Amazon authorization of seller A2REMINDER0001 expires today: renew it now"
    ]


def test_the_e_mail_names_the_stores_the_date_and_a_renew_link_to_each_address_once(db, mailoutbox, settings):
    settings.SITE_URL = "https://asc.example.com"
    with time_machine.travel(_morning(60), tick=False) as traveller:
        authorization = _authorization(emails=())
        stores = [
            AmazonStoreFactory(name="Amazon Store Canada", contact_email="Ops@Example.com"),
            AmazonStoreFactory(name="Amazon Store USA", contact_email="ops@example.com"),
            AmazonStoreFactory(name="Amazon Store Mexico", contact_email="paused@example.com", is_active=False),
        ]
        for store in stores:
            StoreConnection.objects.create(store=store, authorization=authorization)
        AmazonStoreFactory(name="Unrelated", contact_email="other@example.com")
        traveller.move_to(_morning(14))
        reminders_send()

    message = mailoutbox[0]
    assert len(mailoutbox) == 1
    assert message.to == ["Ops@Example.com", "paused@example.com"]
    link = f"https://asc.example.com/amazon/authorizations/?q=A2REMINDER0001#authorization-{authorization.pk}"
    html = message.alternatives[0].content
    for text in (message.body, html):
        assert "Amazon Store Canada" in text
        assert "Amazon Store USA" in text
        assert "Amazon Store Mexico" in text
        assert "Unrelated" not in text
        assert "Mar 31, 2027" in text
        assert link in text
    assert "It expires in 14 days" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    events = StoreEvent.objects.filter(kind=StoreEvent.Kind.REMINDER_SENT)
    assert sorted(events.values_list("store__name", flat=True)) == sorted(store.name for store in stores)
    assert events.first().details == {"days_before": 14, "expires": "2027-03-31", "recipients": 2}


def test_a_failed_send_is_recorded_and_retried_on_the_next_run_without_stopping_the_others(
    db, mailoutbox, settings, refusing_mailer
):
    with time_machine.travel(_morning(7), tick=False):
        refused = _authorization(seller="A2REFUSED00001", emails=(REFUSED,))
        delivered = _authorization(seller="A2DELIVERED001")

        first = reminders_send()
        row = ReminderDelivery.objects.get(authorization=refused)
        assert (first.sent, first.failed) == (1, 1)
        assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 1)
        assert row.error.startswith("SMTPRecipientsRefused")
        assert [message.to for message in mailoutbox] == [["ops@example.com"]]
        assert ReminderDelivery.objects.get(authorization=delivered).status == DeliveryStatus.SENT

        second = reminders_send()  # the server still refuses: tried again, recorded again
        row.refresh_from_db()
        assert (second.sent, second.failed, second.already) == (0, 1, 1)
        assert (row.status, row.attempts) == (DeliveryStatus.FAILED, 2)

        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        third = reminders_send()
        fourth = reminders_send()

    row.refresh_from_db()
    assert (third.sent, third.failed) == (1, 0)
    assert (row.status, row.attempts, row.error) == (DeliveryStatus.SENT, 3, "")
    assert (fourth.sent, fourth.already) == (0, 2)
    assert [message.to for message in mailoutbox] == [["ops@example.com"], [REFUSED]]


@pytest.mark.parametrize(
    "state", [AuthorizationState.REVOKED, AuthorizationState.NEEDS_REAUTHORIZATION], ids=["revoked", "lost"]
)
def test_revoked_and_lost_authorizations_get_no_reminder(db, mailoutbox, state):
    with time_machine.travel(_morning(14), tick=False):
        _authorization(state=state)
        counts = reminders_send()

    assert mailoutbox == []
    assert counts.checked == 0
    assert not ReminderDelivery.objects.exists()


def test_an_authorization_expired_yesterday_gets_no_reminder(db, mailoutbox):
    with time_machine.travel(_morning(-1), tick=False):
        _authorization()
        reminders_send()

    assert mailoutbox == []


def test_renewal_restarts_the_cycle(db, mailoutbox):
    with time_machine.travel(_morning(30), tick=False) as traveller:
        authorization = _authorization()
        reminders_send()
        now = timezone.now()
        SellerAuthorization.objects.filter(pk=authorization.pk).update(
            granted_at=now, expires_at=now + timedelta(days=365)
        )
        reminders_send()  # the new expiry is a year away
        assert len(mailoutbox) == 1
        traveller.move_to(now + timedelta(days=335))
        reminders_send()

    assert len(mailoutbox) == 2
    rows = ReminderDelivery.objects.filter(authorization=authorization, offset_days=30)
    assert sorted(rows.values_list("expires_on", flat=True)) == [EXPIRY.date(), (now + timedelta(days=365)).date()]


def test_an_authorization_without_a_contact_address_is_counted_not_sent(db, mailoutbox):
    with time_machine.travel(_morning(1), tick=False):
        _authorization(emails=())
        counts = reminders_send()

    assert mailoutbox == []
    assert counts.no_recipients == 1
    assert not ReminderDelivery.objects.exists()
    assert counts.summary().endswith("1 without a contact address.")


def test_the_dry_run_sends_and_writes_nothing(db, mailoutbox):
    with time_machine.travel(_morning(7), tick=False):
        _authorization()
        lines = []
        counts = reminders_send(dry_run=True, progress=lines.append)

    assert counts.sent == 1
    assert mailoutbox == []
    assert not ReminderDelivery.objects.exists()
    assert not StoreEvent.objects.filter(kind=StoreEvent.Kind.REMINDER_SENT).exists()
    assert lines == ["A2REMINDER0001 (NA) (7-day reminder, expires 2027-03-31): reminder would be sent"]
    assert (
        counts.summary(dry_run=True) == "1 reminder would be sent, 0 failed, 0 already sent; 1 authorization checked."
    )


def test_the_calendar_day_is_the_configured_time_zones(db, mailoutbox, settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    expiry = datetime(2027, 4, 1, 3, 0, tzinfo=UTC)  # March 31, 20:00 in Los Angeles
    with time_machine.travel(datetime(2027, 3, 1, 20, 0, tzinfo=UTC), tick=False):  # March 1, noon there
        authorization = _authorization(expiry)
        first = reminders_send()
        second = reminders_send()

    assert (first.sent, second.already) == (1, 1)
    assert ReminderDelivery.objects.get(authorization=authorization).expires_on == date(2027, 3, 31)


def _sweep_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        reminders_send()
    return len(queries)


def _reminded(count: int) -> None:
    """Add authorizations in the window whose current reminder went out already."""
    first = SellerAuthorization.objects.count()
    for number in range(first, first + count):
        authorization = _authorization(seller=f"A2DONE{number:08d}", emails=())
        ReminderDelivery.objects.create(
            authorization=authorization,
            kind="reminder",
            expires_on=EXPIRY.date(),
            offset_days=14,
            status=DeliveryStatus.SENT,
        )


def test_the_sweep_queries_grow_with_the_reminders_sent_not_with_the_authorizations(db, mailoutbox):
    with time_machine.travel(_morning(14), tick=False):
        _reminded(5)
        for number in range(2):
            _authorization(seller=f"A2DUE{number:09d}")
        small = _sweep_queries()
        _reminded(45)
        for number in range(2, 4):
            _authorization(seller=f"A2DUE{number:09d}")
        large = _sweep_queries()
        _reminded(50)
        nothing_to_send = _sweep_queries()

    assert len(mailoutbox) == 4
    assert large == small  # two reminders each time, ten times the authorizations
    assert nothing_to_send == 2  # the window's rows with their deliveries, the failed notices to retry


def test_the_notice_of_a_lost_authorization_goes_out_once_per_expiry(db, mailoutbox):
    authorization = _authorization(expires_at=timezone.now() + timedelta(days=200))
    assert lost_notice_send(authorization_id=authorization.pk) == "skipped"  # still active: nothing to tell

    SellerAuthorization.objects.filter(pk=authorization.pk).update(state=AuthorizationState.NEEDS_REAUTHORIZATION)

    assert lost_notice_send(authorization_id=authorization.pk) == "sent"
    assert lost_notice_send(authorization_id=authorization.pk) == "skipped"
    assert len(mailoutbox) == 1
    assert "no longer accepts the authorization of seller A2REMINDER0001" in mailoutbox[0].subject
    row = ReminderDelivery.objects.get()
    assert (row.kind, row.offset_days, row.status) == ("lost", 0, DeliveryStatus.SENT)


def test_a_failed_notice_of_a_lost_authorization_is_retried_by_the_daily_run(db, mailoutbox, settings, refusing_mailer):
    authorization = _authorization(
        expires_at=timezone.now() + timedelta(days=200),
        state=AuthorizationState.NEEDS_REAUTHORIZATION,
        emails=(REFUSED,),
    )
    assert lost_notice_send(authorization_id=authorization.pk) == "failed"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

    counts = reminders_send()

    assert counts.notices_retried == 1
    assert [message.to for message in mailoutbox] == [[REFUSED]]
    assert ReminderDelivery.objects.get().status == DeliveryStatus.SENT


# Concurrency (PostgreSQL: two hosts running the job at the same moment) ------------------------------------


def _at_once(runs: int, work) -> None:
    barrier = threading.Barrier(runs)

    def run():
        try:
            barrier.wait()
            work()
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_send_each_reminder_once(mailoutbox):
    soon = timezone.now() + timedelta(days=14)
    due = [
        _authorization(soon, seller=f"A2RACE{number:08d}", emails=(f"s{number}@example.com",)) for number in range(3)
    ]
    failed = _authorization(soon, seller="A2RACEFAILED01", emails=("retry@example.com",))
    ReminderDelivery.objects.create(
        authorization=failed,
        kind="reminder",
        expires_on=timezone.localdate(soon),
        offset_days=14,
        status=DeliveryStatus.FAILED,
        attempts=1,
    )

    _at_once(2, reminders_send)

    assert sorted(address for message in mailoutbox for address in message.to) == [
        "retry@example.com",
        "s0@example.com",
        "s1@example.com",
        "s2@example.com",
    ]
    rows = ReminderDelivery.objects.filter(authorization__in=[*due, failed])
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert rows.get(authorization=failed).attempts == 2


def test_the_window_query_reads_what_the_orm_reads(db):
    # Every kind of row the window holds: stores with and without an address, none at all, deliveries of this
    # cycle and of the last one, a lost notice, and authorizations out of the window or not active.
    today = EXPIRY.date() - timedelta(days=20)
    due = _authorization(seller="A2WINDOW000001", emails=("a@example.com", "b@example.com", ""))
    _authorization(EXPIRY + timedelta(days=3), seller="A2WINDOW000002", emails=())
    _authorization(EXPIRY + timedelta(days=40), seller="A2WINDOW000003")  # beyond the window
    _authorization(seller="A2WINDOW000004", state=AuthorizationState.REVOKED)
    for expires_on, offset, kind in [
        (EXPIRY.date(), 30, ReminderKind.REMINDER),
        (EXPIRY.date() - timedelta(days=365), 7, ReminderKind.REMINDER),  # the last cycle's
        (EXPIRY.date(), 0, ReminderKind.LOST),
    ]:
        ReminderDelivery.objects.create(
            authorization=due, kind=kind, expires_on=expires_on, offset_days=offset, recipients=["a@example.com"]
        )
    cycle = FilteredRelation(
        "deliveries", condition=Q(deliveries__kind=ReminderKind.REMINDER, deliveries__expires_on__gte=today)
    )
    start = datetime.combine(today, time.min, tzinfo=UTC)
    expected = (
        SellerAuthorization.objects.filter(
            state=AuthorizationState.ACTIVE, expires_at__gte=start, expires_at__lt=start + timedelta(days=31)
        )
        .annotate(cycle=cycle)
        .order_by("expires_at", "pk")
        .values_list(
            "pk",
            "selling_partner_id",
            "region",
            "expires_at",
            "connections__store__contact_email",
            "cycle__expires_on",
            "cycle__offset_days",
            "cycle__status",
        )
    )

    rows = _window_rows(today)

    assert sorted(rows, key=repr) == sorted(expected, key=repr)
    assert len(rows) == 4  # the first's three stores with this cycle's one reminder; the second, without a store

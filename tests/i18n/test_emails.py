"""
E-mails and the jobs' output in Swedish.

The e-mails go to the stores' contact addresses and are sent by jobs from cron as well as during requests: they
are written in the site's language, LANGUAGE_CODE, whoever set them off (sellerauth/reminders.py). What a command
prints follows the active language, which for a command run from cron is LANGUAGE_CODE too.
"""

from datetime import UTC, datetime, time, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import translation

from sellerauth.models import AuthorizationState, SellerAuthorization, StoreConnection
from sellerauth.reminders import SweepCounts, lost_notice_send, reminders_send
from tests.factories import AmazonStoreFactory

EXPIRY = datetime(2027, 3, 31, 10, 0, tzinfo=UTC)
SELLER = "A2REMINDER0001"


@pytest.fixture(autouse=True)
def _utc(settings):
    settings.TIME_ZONE = "UTC"


def _authorization(state=AuthorizationState.ACTIVE) -> SellerAuthorization:
    authorization = SellerAuthorization.objects.create(
        selling_partner_id=SELLER,
        region="NA",
        seller_store_name="Northwind Outfitters",
        granted_at=EXPIRY - timedelta(days=365),
        expires_at=EXPIRY,
        state=state,
    )
    store = AmazonStoreFactory(name="Northwind US", contact_email="ops@example.com")
    StoreConnection.objects.create(store=store, authorization=authorization)
    return authorization


def _days_before(days: int):
    return time_machine.travel(datetime.combine(EXPIRY.date() - timedelta(days=days), time(6), tzinfo=UTC), tick=False)


def test_the_reminder_is_written_in_the_sites_language(db, settings, mailoutbox):
    settings.LANGUAGE_CODE = "sv"
    _authorization()

    with _days_before(7):
        reminders_send()

    (message,) = mailoutbox
    html = message.alternatives[0].content
    assert message.subject == f"Amazon-auktoriseringen för säljaren {SELLER} går ut om 7 dagar: förnya den"
    assert "Den går ut om 7 dagar, den 31 mars 2027 10:00 UTC." in message.body
    assert "- Northwind US" in message.body
    assert '<html lang="sv">' in html
    assert "Den går ut om <strong>7 dagar</strong>, den 31 mars 2027 10:00 UTC." in html


def test_one_day_left_is_one_day(db, settings, mailoutbox):
    settings.LANGUAGE_CODE = "sv"
    _authorization()

    with _days_before(1):
        reminders_send()

    assert mailoutbox[0].subject == f"Amazon-auktoriseringen för säljaren {SELLER} går ut om 1 dag: förnya den"
    assert "Den går ut om 1 dag, den 31 mars 2027 10:00 UTC." in mailoutbox[0].body


def test_the_reminder_follows_the_site_not_the_language_of_whoever_sets_it_off(db, settings, mailoutbox):
    settings.LANGUAGE_CODE = "en"
    _authorization()

    with _days_before(7), translation.override("sv"):  # as during a Swedish user's request
        reminders_send()

    assert mailoutbox[0].subject == f"Amazon authorization of seller {SELLER} expires in 7 days: renew it"
    assert "It expires in 7 days, on Mar 31, 2027 10:00 UTC." in mailoutbox[0].body


def test_the_notice_of_a_lost_authorization_is_written_in_the_sites_language(db, settings, mailoutbox):
    settings.LANGUAGE_CODE = "sv"
    authorization = _authorization(state=AuthorizationState.NEEDS_REAUTHORIZATION)

    with _days_before(40):
        assert lost_notice_send(authorization_id=authorization.pk) == "sent"

    (message,) = mailoutbox
    assert message.subject == f"Amazon godtar inte längre auktoriseringen för säljaren {SELLER}: anslut igen"
    assert "De här butikerna kan inte nå Amazon förrän säljaren beviljar åtkomst igen:" in message.body
    assert "Bevilja åtkomst igen" in message.alternatives[0].content


def test_the_reminder_job_run_from_cron_reports_in_the_sites_language(db, settings, mailoutbox):
    settings.LANGUAGE_CODE = "sv"
    _authorization()
    out = StringIO()

    with _days_before(7):
        call_command("send_reauthorization_reminders", stdout=out)

    assert out.getvalue().splitlines() == [
        f"{SELLER} (NA) (påminnelse 7 dagar före, går ut 2027-03-31): påminnelsen skickades",
        "1 påminnelse skickad, 0 misslyckades, 0 redan skickade; 1 auktorisering kontrollerad.",
    ]
    assert mailoutbox[0].subject.startswith("Amazon-auktoriseringen")


def test_the_summary_counts_in_the_active_language():
    counts = SweepCounts(checked=23, sent=1, failed=2, already=0, no_recipients=1, notices_retried=1)

    with translation.override("sv"):
        swedish = counts.summary(dry_run=True)
    english = counts.summary(dry_run=True)

    assert swedish == (
        "1 påminnelse skulle skickas, 2 misslyckades, 0 redan skickade; 23 auktoriseringar kontrollerade; "
        "1 utan kontaktadress; 1 misslyckat meddelande om en förlorad auktorisering skickades igen."
    )
    assert english == (
        "1 reminder would be sent, 2 failed, 0 already sent; 23 authorizations checked; 1 without a contact address; "
        "1 failed notice of a lost authorization retried."
    )


def test_the_verification_job_reports_in_the_active_language(db):
    out = StringIO()

    with translation.override("sv"):
        call_command("verify_authorizations", stdout=out)

    assert out.getvalue().splitlines() == ["0 verifieringar köade; 0 auktoriseringar att verifiera."]


def test_the_demo_data_command_reports_in_the_active_language(db, settings):
    settings.DEBUG = True
    out = StringIO()

    with translation.override("sv"):
        call_command("seed_demo", stdout=out)

    assert "Demodata: 2 webbplatser, 7 katalogattribut och 4 användare skapade" in out.getvalue()
    assert "superanvändare: kan göra allt" in out.getvalue()

"""
E-mails about authorizations: the renewal reminders (30, 14, 7 and 1 days before expiry and on the day) and
the notice that Amazon no longer accepts one.

Each e-mail is a ReminderDelivery row, inserted under a unique constraint BEFORE it is sent: whichever run
inserts the row sends the e-mail, so it goes out once however many hosts run the job and however often it is
rerun. A failed send stays as a row with status failed; the next run turns it back to pending with a
conditional UPDATE (only one run can) and tries again. A row left pending by a run that died between insert
and send is not retried: an e-mail sent twice is worse than one the next offset's reminder makes up for, and
the row shows in the admin as "Sending".
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stores import sql
from stores.models import AmazonStore, StoreEvent
from stores.services import store_event_record

from .models import (
    AuthorizationState,
    DeliveryStatus,
    ReminderDelivery,
    ReminderKind,
    SellerAuthorization,
    StoreConnection,
)
from .status import days_left

logger = logging.getLogger(__name__)

# Days before the expiry day on which a reminder is due; the first is also the size of the window looked at.
OFFSETS = (30, 14, 7, 1, 0)


@dataclass
class SweepCounts:
    checked: int = 0  # active authorizations within the window
    sent: int = 0
    failed: int = 0
    already: int = 0  # the reminder due now was sent (or is being sent) already
    no_recipients: int = 0
    notices_retried: int = 0  # failed notices of a lost authorization, sent again

    def summary(self, *, dry_run: bool = False) -> str:
        """Return the line people read at the end of a run, in the active language."""
        if dry_run:
            sent = ngettext("%(count)d reminder would be sent", "%(count)d reminders would be sent", self.sent)
        else:
            sent = ngettext("%(count)d reminder sent", "%(count)d reminders sent", self.sent)
        parts = [
            sent % {"count": self.sent},
            ngettext("%(count)d failed", "%(count)d failed", self.failed) % {"count": self.failed},
            ngettext("%(count)d already sent", "%(count)d already sent", self.already) % {"count": self.already},
        ]
        tail = [
            ngettext("%(count)d authorization checked", "%(count)d authorizations checked", self.checked)
            % {"count": self.checked}
        ]
        if self.no_recipients:
            tail.append(
                ngettext(
                    "%(count)d without a contact address", "%(count)d without a contact address", self.no_recipients
                )
                % {"count": self.no_recipients}
            )
        if self.notices_retried:
            tail.append(
                ngettext(
                    "%(count)d failed notice of a lost authorization retried",
                    "%(count)d failed notices of a lost authorization retried",
                    self.notices_retried,
                )
                % {"count": self.notices_retried}
            )
        return f"{', '.join(parts)}; {'; '.join(tail)}."


def _day_start(day: date) -> datetime:
    """Return the first moment of a calendar day in the current time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def due_offset(days: int) -> int:
    """Return the reminder due with so many calendar days left: the smallest offset at least that."""
    return min(offset for offset in OFFSETS if offset >= days)


# The same, looked up: the sweep asks it for every authorization in the window.
DUE_OFFSETS = [due_offset(days) for days in range(max(OFFSETS) + 1)]


class Due(NamedTuple):
    """An active authorization within the reminder window: the reminder due now, its delivery, its addresses."""

    pk: int
    selling_partner_id: str
    region: str
    expires_at: datetime
    expires_on: date
    offset: int
    delivery_status: str | None
    addresses: tuple[str, ...]

    def __str__(self):
        return f"{self.selling_partner_id} ({self.region})"


@cache
def _window_sql() -> str:
    """The reminder window's query, written once from the models' tables and columns.

    The active authorizations expiring from a day on to the end of the window (one range of the index on
    expiry and state), soonest first, a row per linked store (its contact address) and per delivery of this
    cycle: those of an expiry from that day on, as a renewal's new expiry is a year away.
    """
    auth, link, store, delivery = SellerAuthorization, StoreConnection, AmazonStore, ReminderDelivery
    cycle = "cycle"
    expires_at = sql.column(auth, "expires_at")
    columns = [sql.column(auth, name) for name in ("id", "selling_partner_id", "region")]
    columns += [expires_at, sql.column(store, "contact_email")]
    columns += [sql.column(delivery, name, alias=cycle) for name in ("expires_on", "offset_days", "status")]
    return (
        # Names from the models; every value is a parameter.
        f"SELECT {', '.join(columns)} FROM {sql.table(auth)} "  # noqa: S608
        f"LEFT OUTER JOIN {sql.table(link)} ON {sql.column(link, 'authorization')} = {sql.column(auth, 'id')} "
        f"LEFT OUTER JOIN {sql.table(store)} ON {sql.column(store, 'id')} = {sql.column(link, 'store')} "
        f"LEFT OUTER JOIN {sql.table(delivery)} AS {sql.quote(cycle)} "
        f"ON {sql.column(delivery, 'authorization', alias=cycle)} = {sql.column(auth, 'id')} "
        f"AND {sql.column(delivery, 'kind', alias=cycle)} = %s "
        f"AND {sql.column(delivery, 'expires_on', alias=cycle)} >= %s "
        f"WHERE {sql.column(auth, 'state')} = %s AND {expires_at} >= %s AND {expires_at} < %s "
        f"ORDER BY {expires_at}, {sql.column(auth, 'id')}"
    )


def _window_rows(today: date) -> list[tuple]:
    """Return the reminder window's rows (see _window_sql), each value as the ORM would give it."""
    ops = connection.ops
    params = [
        ReminderKind.REMINDER,
        ops.adapt_datefield_value(today),
        AuthorizationState.ACTIVE,
        ops.adapt_datetimefield_value(_day_start(today)),
        ops.adapt_datetimefield_value(_day_start(today + timedelta(days=max(OFFSETS) + 1))),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_window_sql(), params)
        rows = cursor.fetchall()
    expires_at = sql.converter(SellerAuthorization, "expires_at")
    expires_on = sql.converter(ReminderDelivery, "expires_on")
    return [(*row[:3], expires_at(row[3]), row[4], expires_on(row[5]), *row[6:]) for row in rows]


def reminders_due(*, today: date) -> list[Due]:
    """Return the authorizations within the reminder window with the reminder due today, in one query."""
    rows = _window_rows(today)
    zone = timezone.get_current_timezone()  # once: each lookup of it costs more than the date arithmetic
    due = []
    for (pk, seller, region, expires_at), group in groupby(rows, key=itemgetter(0, 1, 2, 3)):
        addresses, deliveries = set(), {}
        for row in group:
            address, delivery_expires_on, delivery_offset, delivery_status = row[4:]
            addresses.add(address)
            deliveries[delivery_expires_on, delivery_offset] = delivery_status
        expires_on = expires_at.astimezone(zone).date()
        offset = DUE_OFFSETS[(expires_on - today).days]
        status = deliveries.get((expires_on, offset))
        due.append(Due(pk, seller, region, expires_at, expires_on, offset, status, tuple(sorted(addresses - {None}))))
    return due


def _linked_stores(authorization_id: int) -> list[AmazonStore]:
    return list(AmazonStore.objects.filter(connection__authorization_id=authorization_id).order_by("name", "pk"))


def contact_addresses(addresses: list[str]) -> list[str]:
    """Return the addresses, each once whatever its case, in a stable order."""
    unique: dict[str, str] = {}
    for address in addresses:
        address = address.strip()
        if address:
            unique.setdefault(address.casefold(), address)
    return sorted(unique.values(), key=str.casefold)


def renew_url(*, authorization) -> str:
    """Return the absolute link to the authorization on the Current Authorizations page, built from SITE_URL."""
    query = urlencode({"q": authorization.selling_partner_id})
    return f"{settings.SITE_URL}{reverse('sellerauth:authorizations')}?{query}#authorization-{authorization.pk}"


def reminders_send(
    *, dry_run: bool = False, now: datetime | None = None, progress: Callable | None = None
) -> SweepCounts:
    """Send the renewal reminder due today for every active authorization that has not had it; return the counts."""
    now = now or timezone.now()
    due = reminders_due(today=timezone.localdate(now))
    counts = SweepCounts(checked=len(due))
    pending = [row for row in due if row.delivery_status in (None, DeliveryStatus.FAILED)]
    counts.already = len(due) - len(pending)
    for row in pending:
        outcome = _reminder_send(due=row, recipients=contact_addresses(row.addresses), now=now, dry_run=dry_run)
        setattr(counts, outcome, getattr(counts, outcome) + 1)
        if progress:
            progress(_progress_line(row, outcome, dry_run=dry_run))
    if not dry_run:
        counts.notices_retried = _lost_notices_retry(progress=progress)
    return counts


def _lost_notices_retry(*, progress: Callable | None) -> int:
    """Send again the failed notices of authorizations that are still lost; return how many were tried."""
    ids = list(
        ReminderDelivery.objects.filter(
            kind=ReminderKind.LOST,
            status=DeliveryStatus.FAILED,
            authorization__state=AuthorizationState.NEEDS_REAUTHORIZATION,
        ).values_list("authorization_id", flat=True)
    )
    for authorization_id in ids:
        outcome = lost_notice_send(authorization_id=authorization_id)
        if progress:
            progress(_notice_retry_line(authorization_id, outcome))
    return len(ids)


def _notice_retry_line(authorization_id: int, outcome: str) -> str:
    lines = {
        "sent": _("Authorization %(id)s: notice that Amazon no longer accepts it sent (retry)"),
        "failed": _("Authorization %(id)s: notice that Amazon no longer accepts it failed (retry)"),
        "skipped": _("Authorization %(id)s: notice that Amazon no longer accepts it skipped (retry)"),
    }
    return lines[outcome] % {"id": authorization_id}


def _progress_line(due: Due, outcome: str, *, dry_run: bool) -> str:
    words = {
        "sent": _("reminder would be sent") if dry_run else _("reminder sent"),
        "failed": _("reminder failed (recorded; retried on the next run)"),
        "already": _("reminder already sent by another run"),
        "no_recipients": _("no linked store has a contact address"),
    }
    line = ngettext(
        "%(authorization)s (%(days)d-day reminder, expires %(date)s): %(outcome)s",
        "%(authorization)s (%(days)d-day reminder, expires %(date)s): %(outcome)s",
        due.offset,
    )
    # The date as ISO 8601, the same in every language: the line is read in logs as much as on a terminal.
    values = {"authorization": due, "days": due.offset, "date": f"{due.expires_at:%Y-%m-%d}", "outcome": words[outcome]}
    return line % values


def _reminder_send(*, due: Due, recipients: list[str], now: datetime, dry_run: bool) -> str:
    if not recipients:
        return "no_recipients"
    if dry_run:
        return "sent"
    key = {
        "authorization_id": due.pk,
        "kind": ReminderKind.REMINDER,
        "expires_on": due.expires_on,
        "offset_days": due.offset,
    }
    if not delivery_claim(key=key, recipients=recipients, retry=due.delivery_status == DeliveryStatus.FAILED):
        return "already"
    stores = _linked_stores(due.pk)
    left = days_left(due.expires_at, now)
    context = {"authorization": due, "stores": stores, "days_left": left}
    with translation.override(settings.LANGUAGE_CODE):  # the site's language: see _message
        message = _message("reminder", context, recipients, _reminder_subject(due, left))
    if not delivery_send(key=key, message=message):
        return "failed"
    details = {"days_before": due.offset, "expires": key["expires_on"].isoformat(), "recipients": len(recipients)}
    for store in stores:
        store_event_record(store=store, kind=StoreEvent.Kind.REMINDER_SENT, details=details)
    return "sent"


def _reminder_subject(authorization: Due, left: int) -> str:
    if left == 0:
        return _("Amazon authorization of seller %(seller)s expires today: renew it now") % {
            "seller": authorization.selling_partner_id
        }
    return ngettext(
        "Amazon authorization of seller %(seller)s expires in %(days)d day: renew it",
        "Amazon authorization of seller %(seller)s expires in %(days)d days: renew it",
        left,
    ) % {"seller": authorization.selling_partner_id, "days": left}


def delivery_claim(*, key: dict, recipients: list[str], retry: bool = False) -> bool:
    """Claim the delivery named by key for this run: insert it, or turn a failed one back to pending; False if taken."""
    if not retry:
        try:
            with transaction.atomic():
                ReminderDelivery.objects.create(**key, recipients=recipients, attempts=1)
            return True
        except IntegrityError:
            pass  # inserted by another run, or an earlier one: it may have failed
    # Only one run can turn a failed row back to pending: the others' UPDATE finds it pending and changes nothing.
    claimed = ReminderDelivery.objects.filter(**key, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=F("attempts") + 1, recipients=recipients, error=""
    )
    return bool(claimed)


def _message(template: str, context: dict, recipients: list[str], subject: str) -> EmailMultiAlternatives:
    """Return the e-mail of a template; the caller activates the site's language (LANGUAGE_CODE) around it.

    The e-mails go to the stores' contact addresses, who have no language chosen here, and are sent by the daily
    job from cron as well as during a request (a verification that finds an authorization lost): so they are
    written in the site's language, with its date formats, never in the language of whoever's browser set it off.
    """
    authorization = context["authorization"]
    context = context | {
        "renew_url": renew_url(authorization=authorization),
        "store_names": [store.name for store in context["stores"]],
        "expires_at": authorization.expires_at,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"sellerauth/email/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach_alternative(render_to_string(f"sellerauth/email/{template}.html", context), "text/html")
    return message


def delivery_send(*, key: dict, message: EmailMultiAlternatives) -> bool:
    """Send a claimed delivery's e-mail and record how it went; never raise for a mail server's failure."""
    try:
        mailers.default.send_messages([message])
    except Exception as exc:  # any mail backend's failure is recorded, and the run goes on
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".strip(": ")[:255]
        ReminderDelivery.objects.filter(**key, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, error=error
        )
        logger.warning(
            "E-mail %s (%s days) for authorization %s failed: %s",
            key["kind"],
            key["offset_days"],
            key["authorization_id"],
            type(exc).__name__,
        )
        return False
    ReminderDelivery.objects.filter(**key, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), error=""
    )
    return True


def lost_notice_send(*, authorization_id: int) -> str:
    """E-mail the contacts once that Amazon no longer accepts the authorization; return sent, failed or skipped."""
    authorization = SellerAuthorization.objects.filter(
        pk=authorization_id, state=AuthorizationState.NEEDS_REAUTHORIZATION
    ).first()
    if authorization is None:  # renewed meanwhile, revoked, or gone: nothing to tell
        return "skipped"
    stores = _linked_stores(authorization.pk)
    recipients = contact_addresses([store.contact_email for store in stores])
    key = {
        "authorization_id": authorization.pk,
        "kind": ReminderKind.LOST,
        "expires_on": timezone.localdate(authorization.expires_at),
        "offset_days": 0,
    }
    if not recipients or not delivery_claim(key=key, recipients=recipients):
        return "skipped"
    context = {"authorization": authorization, "stores": stores, "expired": authorization.expires_at <= timezone.now()}
    with translation.override(settings.LANGUAGE_CODE):  # the site's language: see _message
        subject = _("Amazon no longer accepts the authorization of seller %(seller)s: connect again") % {
            "seller": authorization.selling_partner_id
        }
        message = _message("lost", context, recipients, subject)
    return "sent" if delivery_send(key=key, message=message) else "failed"

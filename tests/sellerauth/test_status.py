from datetime import UTC, datetime, timedelta

import pytest

from sellerauth.status import AuthorizationState, ConnectionStatus, connection_status, days_left

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("state", "expires_in", "expected"),
    [
        (None, None, ConnectionStatus.NOT_CONNECTED),
        (AuthorizationState.ACTIVE, timedelta(days=31), ConnectionStatus.CONNECTED),
        (AuthorizationState.ACTIVE, timedelta(days=30), ConnectionStatus.RENEWAL_DUE),
        (AuthorizationState.ACTIVE, timedelta(seconds=1), ConnectionStatus.RENEWAL_DUE),
        (AuthorizationState.ACTIVE, timedelta(0), ConnectionStatus.EXPIRED),
        (AuthorizationState.NEEDS_REAUTHORIZATION, timedelta(days=200), ConnectionStatus.NEEDS_REAUTHORIZATION),
        # Amazon refused the token because its year was over: the status says "Expired", which says why.
        (AuthorizationState.NEEDS_REAUTHORIZATION, -timedelta(days=1), ConnectionStatus.EXPIRED),
        (AuthorizationState.REVOKED, timedelta(days=200), ConnectionStatus.REVOKED),
        (AuthorizationState.REVOKED, -timedelta(days=1), ConnectionStatus.REVOKED),
    ],
)
def test_the_status_is_derived_from_the_state_and_the_expiry(settings, state, expires_in, expected):
    settings.ASC_RENEWAL_WINDOW_DAYS = 30
    expires_at = NOW + expires_in if expires_in is not None else None

    assert connection_status(state=state, expires_at=expires_at, now=NOW) == expected


def test_days_left_counts_calendar_days_and_never_goes_below_zero():
    assert days_left(NOW + timedelta(days=1, hours=11, minutes=59), now=NOW) == 1
    assert days_left(NOW + timedelta(days=1, hours=12), now=NOW) == 2
    assert days_left(NOW - timedelta(days=3), now=NOW) == 0

"""What the sandbox's Seller Central and LWA change: codes, grants and tokens."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AccessToken, AppAuthorization, AuthorizationCode, RefreshToken, SandboxSeller
from .tokens import access_token_new, authorization_code_new, refresh_token_new, token_hash

# Step 2 of the website authorization workflow: the code expires five minutes after it is issued.
CODE_LIFETIME = timedelta(minutes=5)
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
# The furthest the sandbox's Sellers page moves a consent back in one go: ten years.
BACKDATE_MAX_DAYS = 3650

REVOKED_DESCRIPTION = (
    "The request has an invalid grant parameter : refresh_token. User may have revoked or didn't grant the permission."
)


class LwaError(Exception):
    """An OAuth error of the token endpoint, with LWA's code, description and HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        # LWA puts a request ID in each error body; Amazon's support asks for it.
        self.request_id = str(uuid.uuid4())

    def body(self) -> dict:
        """Return the JSON body LWA answers this error with."""
        return {"error": self.error, "error_description": self.description, "request_id": self.request_id}


def authorization_code_issue(*, seller: SandboxSeller, application_id: str, redirect_uri: str) -> str:
    """Issue an authorization code for a seller's consent and return it; only its hash is kept."""
    code = authorization_code_new()
    now = timezone.now()
    AuthorizationCode.objects.create(
        code_hash=token_hash(code),
        seller=seller,
        application_id=application_id,
        redirect_uri=redirect_uri,
        issued_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    return code


def authorization_code_exchange(*, code: str, redirect_uri: str, application_id: str) -> dict:
    """Trade a code for a new refresh token and an access token, once, within its five minutes."""
    issued = _authorization_code_consume(code=code)
    # A code presented with the wrong redirect URI is spent all the same: it was single use either way.
    if issued is None or issued.application_id != application_id or issued.redirect_uri != redirect_uri:
        raise LwaError("invalid_grant", "The request has an invalid grant parameter : code")
    refresh_token = refresh_token_new()
    now = timezone.now()
    with transaction.atomic():
        # One grant per seller and application, dated by its newest consent.
        authorization, created = AppAuthorization.objects.select_for_update().get_or_create(
            seller=issued.seller, application_id=application_id, defaults={"granted_at": now}
        )
        if not created:
            authorization.granted_at = now
            authorization.save(update_fields=["granted_at"])
            # Amazon does not document whether a new consent ends the refresh tokens of earlier ones: a setting.
            if _new_consent_revokes_old_token():
                authorization.refresh_tokens.all().delete()
        RefreshToken.objects.create(authorization=authorization, token_hash=token_hash(refresh_token), issued_at=now)
        return _token_response(authorization=authorization, refresh_token=refresh_token)


def _new_consent_revokes_old_token() -> bool:
    return bool(getattr(settings, "AMAZON_SANDBOX_NEW_CONSENT_REVOKES_OLD_TOKEN", True))


def _authorization_code_consume(*, code: str) -> AuthorizationCode | None:
    now = timezone.now()
    digest = token_hash(code)
    # A conditional UPDATE spends the code: of two concurrent exchanges, exactly one changes the row.
    spent = AuthorizationCode.objects.filter(code_hash=digest, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now
    )
    return AuthorizationCode.objects.select_related("seller").get(code_hash=digest) if spent else None


def access_token_refresh(*, refresh_token: str, application_id: str) -> dict:
    """Issue a new access token for a refresh token whose grant still stands."""
    issued = (
        RefreshToken.objects.select_related("authorization")
        .filter(token_hash=token_hash(refresh_token), authorization__application_id=application_id)
        .first()
    )
    # Removed in Manage Your Apps, replaced by a newer consent, or 365 days old: LWA says the same to each.
    if issued is None or issued.authorization.has_expired():
        raise LwaError("invalid_grant", REVOKED_DESCRIPTION)
    return _token_response(authorization=issued.authorization, refresh_token=refresh_token)


def _token_response(*, authorization: AppAuthorization, refresh_token: str) -> dict:
    access_token = access_token_new()
    now = timezone.now()
    AccessToken.objects.create(
        token_hash=token_hash(access_token),
        authorization=authorization,
        issued_at=now,
        expires_at=now + ACCESS_TOKEN_LIFETIME,
    )
    return {
        "access_token": access_token,
        "refresh_token": refresh_token,
        "token_type": "bearer",
        "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
    }


@transaction.atomic
def authorization_remove(*, seller: SandboxSeller, authorization_id: int) -> bool:
    """Remove a seller's grant, as Manage Your Apps does: its refresh and access tokens stop working."""
    authorization = seller.authorizations.filter(pk=authorization_id).first()
    if authorization is None:
        return False
    # Codes issued but not yet exchanged would bring the grant straight back.
    seller.codes.filter(application_id=authorization.application_id, used_at__isnull=True).delete()
    authorization.delete()  # its refresh and access tokens go with it
    return True


def authorization_backdate(*, authorization_id: int, days: int) -> AppAuthorization:
    """Move a grant's consent `days` back in time, so the sandbox's year can be walked through."""
    if not isinstance(days, int) or not 1 <= days <= BACKDATE_MAX_DAYS:
        raise ValidationError(
            _("Move the consent back by 1 to %(max)d days.") % {"max": BACKDATE_MAX_DAYS}, code="days_out_of_range"
        )
    grants = AppAuthorization.objects.filter(pk=authorization_id)
    moved = grants.update(granted_at=F("granted_at") - timedelta(days=days))
    if not moved:
        raise ValidationError(_("That authorization no longer exists."), code="authorization_gone")
    return AppAuthorization.objects.select_related("seller").get(pk=authorization_id)

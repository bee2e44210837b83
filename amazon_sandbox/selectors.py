"""What the sandbox reads: sellers by their sign-in, tokens by their hash, participations."""

import math
import re
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.db.models import Q, QuerySet
from django.utils import timezone

from .marketplaces import marketplace_payload
from .models import AUTHORIZATION_LIFETIME, AccessToken, AppAuthorization, SandboxSeller
from .tokens import token_hash


@dataclass(frozen=True)
class SellerGrant:
    seller: SandboxSeller
    authorization: AppAuthorization | None
    days_left: int | None  # until Amazon's side ends the grant; 0 or less once it has

    @property
    def has_expired(self) -> bool:
        return self.authorization is not None and self.days_left <= 0


def seller_authenticate(*, login: str, password: str) -> SandboxSeller | None:
    """Return the seller whose email or phone and password these are, or None."""
    login = login.strip()
    phone = "+" + re.sub(r"\D", "", login) if re.fullmatch(r"[+\d\s().-]{8,25}", login) else None
    lookup = (Q(email__iexact=login) | Q(phone=phone)) if phone else Q(email__iexact=login)
    seller = SandboxSeller.objects.filter(lookup).first()
    if seller is None:
        # Hash anyway, so an unknown login takes as long as a wrong password.
        make_password(password)
        return None
    return seller if check_password(password, seller.password) else None


def seller_get(*, pk: int | None) -> SandboxSeller | None:
    """Return the seller with this primary key, or None."""
    return SandboxSeller.objects.filter(pk=pk).first() if pk else None


def authorizations_of_seller(*, seller: SandboxSeller) -> QuerySet[AppAuthorization]:
    """Return the applications a seller has authorized, newest first."""
    return seller.authorizations.order_by("-granted_at")


def access_token_authorization(*, token: str, region: str) -> AppAuthorization | None:
    """Return the grant of a valid access token issued for a seller of the region, or None.

    The token is valid for its hour and only while its grant stands: removed or past its 365 days, it is not.
    """
    if not token or len(token) > 2048:
        return None
    now = timezone.now()
    access = (
        AccessToken.objects.select_related("authorization__seller")
        .filter(
            token_hash=token_hash(token),
            expires_at__gt=now,
            authorization__seller__region=region,
            authorization__granted_at__gt=now - AUTHORIZATION_LIFETIME,
        )
        .first()
    )
    return access.authorization if access else None


def seller_grants() -> list[SellerGrant]:
    """Return every seller with each of its grants (or none), for the sandbox's Sellers page."""
    now = timezone.now()
    rows = []
    for seller in SandboxSeller.objects.prefetch_related("authorizations").order_by("email"):
        grants = list(seller.authorizations.all()) or [None]
        rows += [SellerGrant(seller, grant, _days_left(grant, now=now)) for grant in grants]
    return rows


def _days_left(grant: AppAuthorization | None, *, now) -> int | None:
    # Whole days, counted up: a grant made a moment ago has 365 left, one that ended a moment ago has 0.
    return math.ceil((grant.expires_at - now).total_seconds() / 86400) if grant else None


def participations_payload(*, seller: SandboxSeller) -> list[dict]:
    """Return the seller's marketplace participations, shaped as the SP-API's MarketplaceParticipationList."""
    return [
        {
            "marketplace": marketplace_payload(code=code),
            "participation": {"isParticipating": True, "hasSuspendedListings": False},
            "storeName": seller.store_name,
        }
        for code in seller.marketplaces
    ]

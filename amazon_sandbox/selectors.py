"""What the sandbox reads: sellers by their sign-in, tokens by their hash, participations."""

import re

from django.contrib.auth.hashers import check_password, make_password
from django.db.models import Q, QuerySet
from django.utils import timezone

from .marketplaces import marketplace_payload
from .models import AccessToken, AppAuthorization, SandboxSeller
from .tokens import token_hash


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


def access_token_seller(*, token: str, region: str) -> SandboxSeller | None:
    """Return the seller of a valid, unexpired access token issued for a seller of the region, or None."""
    if not token or len(token) > 2048:
        return None
    access = (
        AccessToken.objects.select_related("authorization__seller")
        .filter(token_hash=token_hash(token), expires_at__gt=timezone.now(), authorization__seller__region=region)
        .first()
    )
    return access.authorization.seller if access else None


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

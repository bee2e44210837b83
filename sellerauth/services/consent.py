"""
Saving a completed consent on its seller's authorization, all or nothing, or refusing it when the token's seller
is not the one the callback named.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from stores.models import AmazonStore, StoreEvent
from stores.services import store_event_record

from .. import access_tokens
from ..amazon_client import Participation, TokenSet
from ..errors import AuthorizationError
from ..models import AUTHORIZATION_LIFETIME, AuthorizationState, SellerAuthorization, StoreConnection
from ..token_vault import token_encrypt
from .sellers import participations_apply, seller_identity_key, sells_in, stores_record, wrong_marketplace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConnectResult:
    store: AmazonStore | None  # None for a renewal, which is for the authorization and all its stores
    authorization: SellerAuthorization
    renewed: bool


@dataclass(frozen=True)
class Consent:
    """What one completed consent brought: the seller the callback claims, the tokens, what Amazon says of them."""

    user: object
    seller_id: str
    region: str
    tokens: TokenSet
    participations: list[Participation]
    started: datetime

    @property
    def store_name(self) -> str:
        return next((p.store_name for p in self.participations if p.store_name), "")[:255]


class SellerMismatch(Exception):
    """The token's seller is not the known seller the callback named."""

    def __init__(self, authorization: SellerAuthorization):
        super().__init__(authorization.selling_partner_id)
        self.authorization = authorization


def security_record(stores, *, user, claimed: str, code: str, expected=None, amazon_store_name: str = "") -> None:
    """Record a refused answer for another seller in the stores' logs and warn the operator; never a token."""
    details = {"code": code, "claimed_seller": claimed}
    if expected is not None and expected.selling_partner_id != claimed:
        details["renewing_seller"] = expected.selling_partner_id
    if amazon_store_name:
        details["amazon_store_name"] = amazon_store_name
    for store in stores:
        store_event_record(store=store, kind=StoreEvent.Kind.SECURITY, actor=user, details=details)
    logger.warning(
        "Amazon authorization refused (%s): the answer claimed seller %s, which did not match; nothing was saved",
        code,
        claimed,
    )


@sensitive_variables("consent")
def consent_accept(*, consent: Consent, store: AmazonStore | None, warn: list[AmazonStore]) -> ConnectResult:
    """Save the consent on its seller's authorization, or refuse it all when the seller is not the one named."""
    try:
        return _consent_save(consent=consent, store=store)
    except SellerMismatch as mismatch:
        known = mismatch.authorization
        # Amazon may have ended the signer's previous token with this consent: keep the new one for it.
        _signer_token_keep(consent)
        security_record(
            warn,
            user=consent.user,
            claimed=consent.seller_id,
            code="seller_mismatch",
            amazon_store_name=consent.store_name,
        )
        raise AuthorizationError(
            "seller_mismatch",
            _(
                "Amazon answered for a different seller account than %(seller)s (%(name)s), so nothing was changed: "
                "sign in to Seller Central as that seller's primary user and try again."
            )
            % {"seller": known.selling_partner_id, "name": known.seller_store_name},
        ) from None


@sensitive_variables("consent")
def _signer_token_keep(consent: Consent) -> SellerAuthorization | None:
    """Save a refused consent's token on the known seller whose store name it carries, if exactly one is.

    The token is that seller's own whatever the callback claimed: saving it means a refused answer never breaks
    the signer's working stores, even where Amazon ends a seller's earlier token at each new consent.
    """
    key = seller_identity_key(consent.store_name)
    if not key:
        return None
    with transaction.atomic():
        candidates = SellerAuthorization.objects.select_for_update().filter(
            region=consent.region, seller_store_name__iexact=consent.store_name.strip()
        )
        signers = [a for a in candidates.exclude(selling_partner_id=consent.seller_id) if a.refresh_token_encrypted]
        signers = [a for a in signers if seller_identity_key(a.seller_store_name) == key]
        if len(signers) != 1 or not _token_replace(signers[0], consent):
            return None
        signer = signers[0]
        signer.save()
        details = {"selling_partner_id": signer.selling_partner_id, "expires": signer.expires_at.date().isoformat()}
        stores_record(signer, kind=StoreEvent.Kind.RENEWED, actor=consent.user, details=details)
    return signer


@sensitive_variables("consent")
def _consent_save(*, consent: Consent, store: AmazonStore | None) -> ConnectResult:
    """Check identity, store the token and dates, link the store when it may be; all or nothing.

    With `store` None (a renewal) nothing is linked. A store whose marketplace the seller does not sell in is not
    linked: the token is still saved for a known seller, and nothing at all for a seller not known yet.
    """
    sells_here = store is None or sells_in(store, consent.participations)
    with transaction.atomic():
        now = timezone.now()
        authorization, _created = SellerAuthorization.objects.select_for_update().get_or_create(
            selling_partner_id=consent.seller_id,
            region=consent.region,
            defaults={"granted_at": now, "expires_at": now + AUTHORIZATION_LIFETIME},
        )
        known = bool(authorization.seller_store_name)
        if known and seller_identity_key(authorization.seller_store_name) != seller_identity_key(consent.store_name):
            raise SellerMismatch(authorization)
        if not sells_here and not known:
            # Rolls back an authorization just created: a seller we do not know yet leaves no trace.
            raise wrong_marketplace(store, consent.seller_id, consent.participations, saved=False)
        replaced = _token_replace(authorization, consent)
        participations_apply(authorization, consent.participations, now)
        authorization.save()
        details = {
            "selling_partner_id": authorization.selling_partner_id,
            "region": authorization.region,
            "expires": authorization.expires_at.date().isoformat(),
        }
        if replaced:
            links = authorization.connections.select_related("store")
            # The store being linked gets its own line below.
            for link in links.exclude(store=store) if store is not None and sells_here else links:
                store_event_record(store=link.store, kind=StoreEvent.Kind.RENEWED, actor=consent.user, details=details)
        if not sells_here:
            return ConnectResult(store=None, authorization=authorization, renewed=replaced)
        if store is None:
            return ConnectResult(store=None, authorization=authorization, renewed=True)
        relinked = StoreConnection.objects.filter(store=store).exists()
        StoreConnection.objects.update_or_create(
            store=store, defaults={"authorization": authorization, "connected_by": consent.user, "connected_at": now}
        )
        kind = StoreEvent.Kind.RENEWED if relinked else StoreEvent.Kind.CONNECTED
        store_event_record(store=store, kind=kind, actor=consent.user, details=details)
    return ConnectResult(store=store, authorization=authorization, renewed=relinked)


@sensitive_variables("consent", "tokens")
def _token_replace(authorization: SellerAuthorization, consent: Consent) -> bool:
    """Put the consent's token and a new year on the authorization, unless a newer consent came first."""
    # A consent granted while this one was on its way has a newer token: keep it (a slower writer never wins).
    if authorization.refresh_token_encrypted and authorization.granted_at > consent.started:
        return False
    authorization.refresh_token_encrypted = token_encrypt(consent.tokens.refresh_token)
    # Dated from when this consent's code went to Amazon, not from when it is saved: of two consents saved in
    # either order, the one exchanged last (whose token Amazon issued last) is then always the one kept.
    authorization.granted_at = consent.started
    authorization.expires_at = consent.started + AUTHORIZATION_LIFETIME
    authorization.state = AuthorizationState.ACTIVE
    authorization.revoked_at, authorization.revoked_by = None, None
    authorization.verify_after, authorization.last_verify_error = None, ""
    tokens, pk = consent.tokens, authorization.pk
    transaction.on_commit(
        lambda: access_tokens.access_token_remember(
            authorization_id=pk, token=tokens.access_token, expires_in=tokens.expires_in
        )
    )
    return True

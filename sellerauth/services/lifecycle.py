"""An authorization after its consent: revoked, verified with Amazon, shared with another store, re-encrypted."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from stores.models import AmazonStore, StoreEvent
from stores.services import store_event_record

from .. import access_tokens, amazon_client
from ..errors import AuthorizationError, TokenVaultError
from ..models import AuthorizationState, SellerAuthorization, StoreConnection
from ..token_vault import token_reencrypt
from .sellers import participations_apply, sells_in, stores_record, wrong_marketplace


@transaction.atomic
def authorization_revoke(*, authorization: SellerAuthorization, actor) -> bool:
    """Revoke an authorization here: wipe its token and recorded identity; its stores stay linked.

    Return False when it was revoked already. Amazon has no API for this: the seller also removes the app in
    Seller Central's Manage Your Apps.
    """
    locked = SellerAuthorization.objects.select_for_update().get(pk=authorization.pk)
    already = locked.state == AuthorizationState.REVOKED
    if not already:
        locked.refresh_token_encrypted = ""
        locked.state, locked.revoked_at, locked.revoked_by = AuthorizationState.REVOKED, timezone.now(), actor
        # The identity goes too: the seller's next consent records it afresh (how a renamed seller comes back).
        locked.seller_store_name, locked.marketplace_ids = "", []
        locked.verify_after = None
        locked.save()
        details = {"selling_partner_id": locked.selling_partner_id, "region": locked.region}
        stores_record(locked, kind=StoreEvent.Kind.REVOKED, actor=actor, details=details)
    # Now, and again once committed, in case a refresh running meanwhile cached a token.
    access_tokens.access_token_forget(authorization_id=locked.pk)
    transaction.on_commit(lambda: access_tokens.access_token_forget(authorization_id=locked.pk))
    return not already


@sensitive_variables("token")
def connection_verify(*, store: AmazonStore, actor) -> SellerAuthorization:
    """Call Amazon with the store's authorization and record what it says; raise AuthorizationError on failure."""
    authorization = store.connection.authorization
    try:
        token = access_tokens.access_token_get(authorization=authorization)
        participations = amazon_client.spapi_marketplace_participations(region=authorization.region, access_token=token)
    except AuthorizationError as error:
        store_event_record(
            store=store, kind=StoreEvent.Kind.VERIFIED, actor=actor, details={"outcome": "failed", "code": error.code}
        )
        raise
    with transaction.atomic():
        locked = SellerAuthorization.objects.select_for_update().get(pk=authorization.pk)
        # The stored token is trusted: a new store name here is the seller's rename, recorded on every store.
        renamed = participations_apply(locked, participations, timezone.now())
        locked.save(update_fields=["marketplace_ids", "seller_store_name", "last_verified_at", "updated_at"])
        linked = [link.store for link in locked.connections.select_related("store").exclude(store=store)]
        for each in [store, *(linked if renamed else [])]:
            sells_here = each.marketplace_info.marketplace_id in locked.marketplace_ids
            details = {"outcome": "ok" if sells_here else "marketplace_missing", "marketplaces": locked.marketplace_ids}
            if renamed:
                details["seller_renamed"] = renamed
            store_event_record(store=each, kind=StoreEvent.Kind.VERIFIED, actor=actor, details=details)
    return locked


@sensitive_variables("token")
def connection_link_existing(*, store: AmazonStore, authorization: SellerAuthorization, actor) -> None:
    """Link a store to an authorization its seller already granted in this region, after a live check."""
    if hasattr(store, "connection") or authorization.region != store.marketplace_info.region:
        raise AuthorizationError("not_linkable", _("This store cannot use that authorization."))
    # Amazon first, outside any transaction: a refusal must be recorded, not rolled back.
    token = access_tokens.access_token_get(authorization=authorization)
    participations = amazon_client.spapi_marketplace_participations(region=authorization.region, access_token=token)
    if not sells_in(store, participations):
        raise wrong_marketplace(store, authorization.selling_partner_id, participations, saved=False)
    try:
        with transaction.atomic():
            AmazonStore.objects.select_for_update().filter(pk=store.pk).exists()
            locked = SellerAuthorization.objects.select_for_update().get(pk=authorization.pk)
            participations_apply(locked, participations, timezone.now())
            locked.save()
            StoreConnection.objects.create(store=store, authorization=locked, connected_by=actor)
            store_event_record(
                store=store,
                kind=StoreEvent.Kind.CONNECTED,
                actor=actor,
                details={"selling_partner_id": locked.selling_partner_id, "region": locked.region, "shared": True},
            )
    except IntegrityError:
        # Linked or connected a moment ago, by a double click or another tab.
        raise AuthorizationError(
            "not_linkable", _("This store was connected meanwhile; nothing else was changed.")
        ) from None


@sensitive_variables("ciphertext")
def authorization_tokens_reencrypt(*, dry_run: bool = False, progress=None) -> dict:
    """Re-encrypt every stored refresh token under the newest key; report how many failed to decrypt."""
    counts = {"reencrypted": 0, "failed": 0}
    ids = SellerAuthorization.objects.exclude(refresh_token_encrypted="").values_list("pk", flat=True)
    for pk in ids.iterator():
        with transaction.atomic():
            authorization = SellerAuthorization.objects.select_for_update().get(pk=pk)
            try:
                ciphertext = token_reencrypt(authorization.refresh_token_encrypted)
            except TokenVaultError:
                counts["failed"] += 1
                if progress:
                    progress(
                        _("Authorization %(id)s (%(authorization)s): cannot be decrypted with any key.")
                        % {"id": pk, "authorization": authorization}
                    )
                continue
            if not dry_run:
                authorization.refresh_token_encrypted = ciphertext
                authorization.save(update_fields=["refresh_token_encrypted", "updated_at"])
            counts["reencrypted"] += 1
    return counts

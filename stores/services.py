"""Writes of the stores app. Every change to a store also appends to its activity log."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import AmazonStore, CatalogAttribute, StoreEvent, Website


def store_event_record(*, store: AmazonStore, kind: str, actor=None, details: dict | None = None) -> StoreEvent:
    """Append one line to the store's activity log."""
    return StoreEvent.objects.create(store=store, store_name=store.name, kind=kind, actor=actor, details=details or {})


def _save_unique(store: AmazonStore) -> None:
    """Save the store; turn a name collision that slipped past the form (a race) into a field error."""
    try:
        with transaction.atomic():
            store.save()
    except IntegrityError as exc:
        if AmazonStore.objects.filter(name_key=store.name_key).exclude(pk=store.pk).exists():
            raise ValidationError({"name": _("A store with this name was just added. Choose another name.")}) from exc
        raise


@transaction.atomic
def store_create(
    *,
    website: Website,
    contact_email: str,
    name: str,
    marketplace: str,
    product_id_type: str = "",
    product_id_attribute: CatalogAttribute | None = None,
    actor=None,
) -> AmazonStore:
    """Create an Amazon store and record who created it."""
    store = AmazonStore(
        website=website,
        contact_email=contact_email,
        name=name.strip(),
        marketplace=marketplace,
        product_id_type=product_id_type or "",
        product_id_attribute=product_id_attribute,
        created_by=actor,
    )
    store.full_clean(exclude=["name_key"])
    _save_unique(store)
    store_event_record(store=store, kind=StoreEvent.Kind.CREATED, actor=actor)
    return store


@transaction.atomic
def store_update(*, store: AmazonStore, name: str, contact_email: str, actor=None) -> AmazonStore:
    """Change a store's name and contact email; website and marketplace stay fixed once created."""
    changes = {}
    for field, value in (("name", name.strip()), ("contact_email", contact_email)):
        old = getattr(store, field)
        if old != value:
            changes[field] = {"from": old, "to": value}
            setattr(store, field, value)
    if not changes:
        return store
    store.full_clean(exclude=["name_key"])
    _save_unique(store)
    store_event_record(store=store, kind=StoreEvent.Kind.EDITED, actor=actor, details={"changes": changes})
    return store


@transaction.atomic
def store_set_active(*, store: AmazonStore, active: bool, actor=None) -> AmazonStore:
    """Activate or deactivate (pause) a store; doing it twice records nothing the second time."""
    locked = AmazonStore.objects.select_for_update().get(pk=store.pk)
    if locked.is_active == active:
        store.is_active = active
        return store
    locked.is_active = active
    locked.save(update_fields=["is_active", "updated_at"])
    kind = StoreEvent.Kind.ACTIVATED if active else StoreEvent.Kind.DEACTIVATED
    store_event_record(store=locked, kind=kind, actor=actor)
    store.is_active, store.updated_at = locked.is_active, locked.updated_at
    return store


@transaction.atomic
def store_delete(*, store: AmazonStore, actor=None) -> None:
    """Delete a store; its activity log stays, with a last line saying who deleted it."""
    store_event_record(store=store, kind=StoreEvent.Kind.DELETED, actor=actor)
    store.delete()

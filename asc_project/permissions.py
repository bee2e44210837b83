"""
Sign-in and permissions: Django's ModelBackend, with each user's permissions kept in the process between requests.

Every page checks permissions, and Django reads them with two queries (the user's own and their groups') on each
request. Here the signed-in user is read together with the permissions version (asc_project.models), and the
permissions a process read for that user under that version are used again. Any change of permissions or group
membership made through the ORM (the admin's forms, `user.groups.add`, `group.permissions.set`, a user created or
deleted) gives the version a new random value in the same transaction, so the next request, in any process,
reads the permissions afresh: a permission taken away is gone on the next page, with no shared cache to ask.

Permissions are kept only when read outside a transaction: there the database shows committed rows alone, read
after the version that keys them, so a kept copy is never older than its version says (at worst newer). Whether
the user is active or a superuser comes from the user row itself. A change written in raw SQL is not seen until
the kept copy expires (`PERMISSIONS_CACHE_SECONDS`).
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import caches
from django.db import connection
from django.db.models import Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import PermissionsVersion

CACHE = "permissions"  # local to the process: its keys carry the version, so a copy is never out of date
VERSION_ROW = 1


def permissions_changed(**kwargs) -> None:
    """Give the permissions version a new value, within the transaction of the change.

    Random rather than counted: a value a rolled-back change wrote, or a table emptied and filled again, is never
    taken again, so no kept copy can answer for it.
    """
    version = secrets.randbits(62)
    if not PermissionsVersion.objects.filter(pk=VERSION_ROW).update(version=version):
        PermissionsVersion.objects.update_or_create(pk=VERSION_ROW, defaults={"version": version})


def _current_version():
    return Subquery(PermissionsVersion.objects.filter(pk=VERSION_ROW).values("version")[:1])


class PermissionCacheModelBackend(ModelBackend):
    """ModelBackend that reads the user with the permissions version, and their permissions once per version."""

    def get_user(self, user_id):
        manager = get_user_model()._default_manager
        try:
            user = manager.annotate(permissions_version=_current_version()).get(pk=user_id)
        except manager.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        version = getattr(user_obj, "permissions_version", None)
        if (
            version is None  # a user not read by get_user: ask the database, as ModelBackend does
            or connection.in_atomic_block  # a transaction may see its own uncommitted changes
            or hasattr(user_obj, "_perm_cache")
            or not user_obj.is_active
            or user_obj.is_superuser
            or obj is not None
        ):
            return super().get_all_permissions(user_obj, obj)
        key = f"permissions:{user_obj.pk}:{version}"
        permissions = caches[CACHE].get(key)
        if permissions is None:
            permissions = super().get_all_permissions(user_obj, obj)
            caches[CACHE].set(key, permissions, settings.PERMISSIONS_CACHE_SECONDS)
        user_obj._perm_cache = permissions
        return permissions


def connect_signals() -> None:
    user_model = get_user_model()
    for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(permissions_changed, sender=through, dispatch_uid=f"permissions-{through._meta.label}")
    for model in (Group, Permission):
        for signal in (post_save, post_delete):
            signal.connect(permissions_changed, sender=model, dispatch_uid=f"permissions-{model._meta.label}")
    # A user created or deleted: a new user may take a deleted one's primary key (SQLite reuses the highest).
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="permissions-user-saved")
    post_delete.connect(permissions_changed, sender=user_model, dispatch_uid="permissions-user-deleted")


def _user_saved(created: bool, **kwargs) -> None:
    if created:
        permissions_changed()

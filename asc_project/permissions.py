"""
Sign-in and permissions: Django's ModelBackend, with each user's permissions kept in the shared cache.

Every page checks permissions, and Django reads them with two queries (the user's own and their groups') on each
request. Here the set is cached per user under a generation that any change of permissions or group membership
made through the ORM (the admin's forms, `user.groups.add`, `group.permissions.set`, ...) moves on, so a
permission taken away is gone on the next request. Whether the user is active or a superuser is never cached:
the user row, read on every request, decides it. A change written in raw SQL is not seen: such a change waits for
the entries to expire (`PERMISSIONS_CACHE_SECONDS`), as it also would for a process keeping its own cache.
"""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

GENERATION_KEY = "permissions:generation"


def _user_key(user) -> str:
    return f"permissions:user:{user.pk}"


def _generation_new() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def permissions_changed(**kwargs) -> None:
    """Start a new generation: every user's cached permissions are read again from the database.

    Now, and again once the change is committed: a request that read the old rows in between must not have its
    copy taken for the new generation's.
    """
    _generation_new()
    transaction.on_commit(_generation_new)


class PermissionCacheModelBackend(ModelBackend):
    """ModelBackend whose `get_all_permissions` is served from the shared cache while nothing has changed."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            found = cache.get_many([GENERATION_KEY, _user_key(user_obj)])
            generation = found.get(GENERATION_KEY)
            if generation is None:
                generation = uuid.uuid4().hex
                if not cache.add(GENERATION_KEY, generation, None):
                    generation = cache.get(GENERATION_KEY, generation)
            cached = found.get(_user_key(user_obj))
            if cached is not None and cached[0] == generation:
                user_obj._perm_cache = cached[1]
            else:
                permissions = super().get_all_permissions(user_obj, obj)
                cache.set(_user_key(user_obj), (generation, permissions), settings.PERMISSIONS_CACHE_SECONDS)
        return user_obj._perm_cache


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

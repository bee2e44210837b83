from django.db import models
from django.utils.translation import gettext_lazy as _


class PermissionsVersion(models.Model):
    """One row, given a new random value in the same transaction as any change of users' groups or permissions.

    Read with the signed-in user on every request (asc_project.permissions), it tells each process whether the
    permissions it keeps for that user are still the database's.
    """

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("permissions version")

    def __str__(self):
        return f"permissions version {self.version}"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectConfig(AppConfig):
    """The project itself, installed for what belongs to no app: its deployment checks, the permission cache."""

    name = "asc_project"
    verbose_name = _("Amazon Sales Channel project")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
        from .permissions import connect_signals

        connect_signals()

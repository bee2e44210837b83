from django.conf import settings
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Tags, Warning, register
from django.utils.module_loading import import_string

HINT = (
    "Set CACHE_URL=redis://host:6379/0 (Redis, reached by every process and host), so that access tokens, "
    "refresh locks and the jobs' leases are shared."
)


@register(Tags.caches, deploy=True)
def check_default_cache_is_shared(app_configs, **kwargs):
    """Warn when the default cache is private to a process or a host: access tokens and locks live there."""
    backend = import_string(settings.CACHES["default"]["BACKEND"])
    if issubclass(backend, (LocMemCache, DummyCache)):
        kept = "keeps nothing" if issubclass(backend, DummyCache) else "is private to each process"
        return [
            Warning(
                f"The default cache ({backend.__name__}) {kept}: each gunicorn worker would refresh its own access "
                "tokens and take its own refresh locks.",
                hint=HINT,
                id="asc_project.W001",
            )
        ]
    if issubclass(backend, FileBasedCache):
        return [
            Warning(
                "The default cache (FileBasedCache) is shared only by the processes of one host.",
                hint=HINT + " Keep the file cache only when a single host serves the site.",
                id="asc_project.W002",
            )
        ]
    return []

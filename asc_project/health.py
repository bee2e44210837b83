"""What /healthz checks: the database answers, the cache keeps a value, and every migration is applied."""

import logging
import secrets
from collections.abc import Callable

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger(__name__)

# Databases whose migrations were all applied. A deployment migrates before it starts new processes, so "applied"
# stays true for the life of a process: the migration graph is read only until the first success.
_migrated: set[str] = set()


class HealthCheckFailed(Exception):
    """A check ran and found its part unhealthy."""


def health_database_check(*, alias: str = DEFAULT_DB_ALIAS) -> None:
    """Run a trivial query; raise when the database does not answer."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def health_cache_check() -> None:
    """Store a short-lived value in the shared cache and read it back; raise when it is not kept."""
    # A key per call: two threads or processes checking at once never read each other's value.
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise HealthCheckFailed("the cache did not keep a value")
    cache.delete(key)


def health_migrations_check(*, alias: str = DEFAULT_DB_ALIAS) -> None:
    """Raise when a migration of an installed app is not applied to the database."""
    if alias in _migrated:
        return
    executor = MigrationExecutor(connections[alias])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise HealthCheckFailed("unapplied migrations")
    _migrated.add(alias)


def _outcome(name: str, check: Callable[[], None]) -> str:
    try:
        check()
    except Exception as exc:  # whatever the failure, the part is unhealthy; the log line says why
        logger.warning("Health check %s failed: %s: %s", name, type(exc).__name__, exc)
        return "error"
    return "ok"


def health_report() -> dict[str, str]:
    """Return each check's outcome: "ok", "error", or "skipped" for migrations when the database is down."""
    report = {"database": _outcome("database", health_database_check)}
    report["migrations"] = _outcome("migrations", health_migrations_check) if report["database"] == "ok" else "skipped"
    report["cache"] = _outcome("cache", health_cache_check)
    return report

"""A lock across processes in the shared cache: an entry added only when absent, released only by its holder."""

import secrets
import time
from contextlib import contextmanager

from django.core.cache import cache


class LockTimeout(Exception):
    """Another holder kept the lock longer than the caller would wait."""


@contextmanager
def cache_lock(key: str, *, hold: float, wait: float):
    """Hold the lock named `key` for at most `hold` seconds, waiting up to `wait` seconds for it.

    The entry lapses after `hold` seconds, so a process that dies holding it blocks the others no longer than that.
    """
    mine = secrets.token_hex(8)
    deadline = time.monotonic() + wait
    while not cache.add(key, mine, timeout=hold):
        if time.monotonic() > deadline:
            raise LockTimeout(key)
        time.sleep(0.05)
    try:
        yield
    finally:
        if cache.get(key) == mine:  # never release a lock that lapsed and another process now holds
            cache.delete(key)

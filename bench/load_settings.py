"""Settings of the load run's server and of bench/load.py: the application's own, with the bench's URLs beside.

Everything else comes from the environment bench/load.py sets, as a deployment's would: the database, the cache,
the sandbox. Production URLs are untouched: only this module adds /bench/minimal/.
"""

from asc_project.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

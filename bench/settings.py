"""Settings for `make bench`: the application's own, on a scratch database, with a floor view added."""

import os
import tempfile

from asc_project.settings import *  # noqa: F403

DEBUG = False
STATIC_ROOT = tempfile.mkdtemp(prefix="asc-bench-static-")  # WhiteNoise serves from it; the pages' files need none
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "bench.urls"
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # only the set-up signs in
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

if os.environ.get("BENCH_DATABASE_URL"):
    # The benchmark creates its own scratch database on that server (test_<name>) and drops it afterwards.
    DATABASES = {"default": env.db("BENCH_DATABASE_URL")}  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)  # noqa: F405
    if os.environ.get("BENCH_DB_NAME"):  # a worker process joins the scratch database its parent made
        DATABASES["default"]["NAME"] = os.environ["BENCH_DB_NAME"]
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(tempfile.mkdtemp(prefix="asc-bench-"), "bench.sqlite3"),
        }
    }

if os.environ.get("BENCH_CACHE_URL"):
    CACHES = {**CACHES, "default": env.cache("BENCH_CACHE_URL")}  # noqa: F405

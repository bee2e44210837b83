"""Gunicorn's settings for this site; gunicorn reads this file itself when started in this folder (`make serve`).

Override any of them on the command line or in GUNICORN_CMD_ARGS, e.g. GUNICORN_CMD_ARGS="--timeout 300".
"""

import os

from gunicorn.glogging import Logger as GunicornLogger

wsgi_app = "asc_project.wsgi:application"
bind = ["127.0.0.1:8000"]
# Sync workers, one request each. The embedded sandbox's LWA and SP-API are answered by this same server, so a
# callback holds one worker while it calls another: never fewer than two. WEB_CONCURRENCY is gunicorn's convention.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
# A worker silent this long is killed. Longer than the slowest request: a callback whose code exchange and
# sellers call run into Amazon's timeouts and retries (sellerauth/amazon_client.py), about 130 s at worst.
timeout = 150
accesslog = "-"
# The callback's query string holds the authorization code and the state, and a page's referrer repeats its query
# string: the access log has the path alone and no referrer.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'


class Logger(GunicornLogger):
    """Gunicorn's logger, whose every line also passes through the project's secrets filter."""

    def setup(self, cfg):
        super().setup(cfg)
        # Imported here: the project's folder is on the import path once gunicorn has changed into it.
        from asc_project.logs import SecretsFilter

        for log in (self.error_log, self.access_log):
            if not any(isinstance(existing, SecretsFilter) for existing in log.filters):
                log.addFilter(SecretsFilter())


logger_class = Logger

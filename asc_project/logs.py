"""Keep secrets out of the logs, whatever a log line was given."""

import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# Values of these query or form parameters never reach a log line or an error report.
SECRET_PARAMETERS = (
    "state",
    "amazon_state",
    "spapi_oauth_code",
    "code",
    "refresh_token",
    "access_token",
    "client_secret",
)
# name=value in URLs and forms; name = 'value' and name: value in error reports' variable listings. A value in
# capitals alone is a status word (django.tasks logs "state=RUNNING"), never one of the secrets: it stays readable.
_PARAMETER = re.compile(
    rf"(?<![\w-])({'|'.join(SECRET_PARAMETERS)})(['\"]?\s*[=:]\s*['\"]?)(?![A-Z_]{{1,24}}(?![^&\s\"'<,}}]))"
    rf"[^&\s\"'<,}}]+"
)
# Amazon's token shapes: Atza| (access) and Atzr| (refresh), also URL-encoded.
_TOKEN = re.compile(r"Atz[ar](\||%7C)[^\s\"'&]+", re.IGNORECASE)
MASK = "********************"


def scrub(text: str) -> str:
    """Return the text with secret parameters and Amazon tokens masked."""
    return _TOKEN.sub(MASK, _PARAMETER.sub(rf"\1\2{MASK}", text))


class SecretsFilter(logging.Filter):
    """Mask secrets in a record's text (the dev server logs whole request lines; HTTP libraries log bodies)."""

    def filter(self, record):
        # Format first: arguments may be dicts or objects whose text holds the secret.
        record.msg, record.args = scrub(record.getMessage()), ()
        return True


class ExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, which also masks the secret query parameters of the failing request."""

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        for key in ("QUERY_STRING", "RAW_URI", "REQUEST_URI"):
            if isinstance(meta.get(key), str):
                meta[key] = scrub(meta[key])
        return meta

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        cleansed = parameters.copy() if hasattr(parameters, "copy") else dict(parameters)
        for name in SECRET_PARAMETERS:
            if name in cleansed:
                cleansed[name] = self.cleansed_substitute
        return cleansed


class ExceptionReporter(ExceptionReporter):
    """Django's error report, scrubbed of secret parameters and Amazon tokens wherever they appear."""

    def get_traceback_text(self):
        return scrub(super().get_traceback_text())

    def get_traceback_html(self):
        return scrub(super().get_traceback_html())

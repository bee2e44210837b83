"""Keep secrets out of the logs and the error reports, whatever a log line or a failing frame was given."""

import logging
import re

from django.views.debug import ExceptionReporter as DjangoExceptionReporter
from django.views.debug import SafeExceptionReporterFilter

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
# Local variables named like this are masked in every frame of an error report, Django's own included: `params`
# of a database call holds the values of the statement (a token's ciphertext among them), `body` and `data` the
# requests to and answers from Amazon. Our own functions also name theirs with sensitive_variables.
SECRET_VARIABLE = re.compile(
    r"token|secret|password|ciphertext|^(?:state|amazon_state|code|spapi_oauth_code|grant|body|data|params|plain)$",
    re.IGNORECASE,
)
# A quote as text shows it, or as the HTML of an error report escapes it.
_QUOTE = r"(?:['\"]|&\#x27;|&\#39;|&quot;|&\#34;)"
# name=value in URLs and forms; name = 'value' and name: value in error reports' variable listings, in text or
# HTML. A value in capitals alone is a status word (django.tasks logs "state=RUNNING"), never one of the secrets:
# it stays readable.
_PARAMETER = re.compile(
    rf"(?<![\w-])({'|'.join(SECRET_PARAMETERS)})({_QUOTE}?\s*[=:]\s*{_QUOTE}?)(?![A-Z_]{{1,24}}(?![^&\s\"'<,}}]))"
    rf"[^&\s\"'<,}}]+"
)
# Amazon's token shapes: Atza| (access) and Atzr| (refresh), also URL-encoded.
_TOKEN = re.compile(r"Atz[ar](\||%7C)[^\s\"'&<]+", re.IGNORECASE)
# Fernet ciphertexts (a stored refresh token): version byte 0x80 and a 64-bit timestamp make them start gAAAAA.
_FERNET = re.compile(r"gAAAAA(?:[A-Za-z0-9_-]|=|%3D){32,}")
MASK = "********************"


def scrub(text: str) -> str:
    """Return the text with secret parameters, Amazon tokens and Fernet ciphertexts masked."""
    return _FERNET.sub(MASK, _TOKEN.sub(MASK, _PARAMETER.sub(rf"\1\2{MASK}", text)))


def _cleansed_query(query):
    """Return a copy of a QueryDict with the secret parameters masked and the others scrubbed."""
    cleansed = query.copy()
    for name in cleansed:
        values = cleansed.getlist(name)
        cleansed.setlist(name, [MASK if name in SECRET_PARAMETERS else scrub(str(value)) for value in values])
    return cleansed


class SecretsFilter(logging.Filter):
    """Mask secrets in a record's text (the dev server logs whole request lines; HTTP libraries log bodies)."""

    def filter(self, record):
        # Format first: arguments may be dicts or objects whose text holds the secret.
        record.msg, record.args = scrub(record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            # An exception's message may quote a value (a database error names the row it refused).
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


class ExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, always active, which also masks the request's secret parameters and secret variables."""

    def is_active(self, request):
        # Django filters only with DEBUG off; but a DEBUG page is shown to whoever makes a callback fail, and a
        # developer's error e-mail travels as far as production's.
        return True

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        # QUERY_STRING, RAW_URI, REQUEST_URI, HTTP_REFERER (Seller Central's consent URL holds our state)…
        return {key: scrub(value) if isinstance(value, str) else value for key, value in meta.items()}

    def get_get_parameters(self, request):
        """Return the query parameters with the secret ones masked (Django shows them unfiltered)."""
        if request is None:
            return {}
        return _cleansed_query(request.GET)

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        return _cleansed_query(parameters) if hasattr(parameters, "getlist") else parameters

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, MASK if SECRET_VARIABLE.search(name) else value) for name, value in variables]


class ExceptionReporter(DjangoExceptionReporter):
    """Django's error report, scrubbed of secret parameters, Amazon tokens and ciphertexts wherever they appear."""

    def _get_raw_insecure_uri(self):
        return scrub(super()._get_raw_insecure_uri())

    def get_traceback_data(self):
        data = super().get_traceback_data()
        # Before the HTML escapes them: escaped quotes hide a `'code': 'value'` pair from a scrub of the page.
        for frame in data["frames"]:
            if "vars" in frame:
                frame["vars"] = [(name, scrub(value)) for name, value in frame["vars"]]
        if self.request is not None:
            data["request_GET_items"] = _cleansed_query(self.request.GET).items()
        if "exception_value" in data:
            data["exception_value"] = scrub(str(data["exception_value"]))
        return data

    def get_traceback_text(self):
        return scrub(super().get_traceback_text())

    def get_traceback_html(self):
        return scrub(super().get_traceback_html())

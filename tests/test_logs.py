import logging

from django.test import RequestFactory

from asc_project.logs import ExceptionReporterFilter, SecretsFilter, scrub

STATE = "s3cr3t-state-value-0123456789abcdefghijklmnopq"
CODE = "ANabcdefghijklmnopqr"


def test_scrub_masks_the_callback_parameters_and_amazon_tokens():
    line = f'"GET /amazon/callback/?state={STATE}&spapi_oauth_code={CODE}&selling_partner_id=A2NA HTTP/1.1" 303'

    scrubbed = scrub(line + " Atzr|IwEBIA-refresh and Atza%7Caccess")

    assert STATE not in scrubbed
    assert CODE not in scrubbed
    assert "Atzr|IwEBIA" not in scrubbed
    assert "Atza%7Caccess" not in scrubbed
    assert "selling_partner_id=A2NA" in scrubbed  # not a secret, useful when reading logs


def test_scrub_masks_seller_centrals_amazon_state_on_the_log_in_uri():
    amazon_state = "OO8KHGgX8IYUQPnF0-7W7OiLxwESLf6NBrZOr4onCf4"
    line = f"GET /amazon/login/?amazon_callback_uri=https%3A%2F%2Fsc&amazon_state={amazon_state}&selling_partner_id=A2"

    assert amazon_state not in scrub(line)


def test_scrub_keeps_status_words_but_not_a_state_in_capitals_of_any_length():
    assert scrub("Task id=1 path=sellerauth.tasks.verify state=RUNNING") == (
        "Task id=1 path=sellerauth.tasks.verify state=RUNNING"
    )
    assert "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH" not in scrub("?state=ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH&x=1")
    assert "RUNNING9" not in scrub("?state=RUNNING9")


def test_the_filter_masks_messages_and_arguments():
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s', (f"GET /?state={STATE}", "303"), None
    )

    SecretsFilter().filter(record)

    assert STATE not in record.getMessage()


def test_the_development_server_log_is_filtered(caplog):
    logger = logging.getLogger("django.server")

    assert any(isinstance(f, SecretsFilter) for handler in logger.handlers for f in handler.filters), (
        "django.server writes through a handler that masks secrets"
    )


def test_error_reports_mask_the_callback_query():
    request = RequestFactory().get("/amazon/callback/", {"state": STATE, "spapi_oauth_code": CODE})

    meta = ExceptionReporterFilter().get_safe_request_meta(request)

    assert STATE not in meta["QUERY_STRING"]
    assert CODE not in meta["QUERY_STRING"]


def test_an_error_report_of_a_failing_callback_holds_no_secret(rf):
    import sys

    from asc_project.logs import ExceptionReporter

    request = rf.get("/amazon/callback/", {"state": STATE, "spapi_oauth_code": CODE})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()

    assert "boom" in report
    assert STATE not in report
    assert CODE not in report


def test_scrub_masks_fernet_ciphertexts_raw_and_url_encoded():
    from cryptography.fernet import Fernet

    ciphertext = Fernet(Fernet.generate_key()).encrypt(b"Atzr|IwEBIA-refresh").decode()

    scrubbed = scrub(f"params=('{ciphertext}', 7) next={ciphertext.replace('=', '%3D')}")

    assert ciphertext[:40] not in scrubbed
    assert "gAAAAA" not in scrubbed
    assert "7)" in scrubbed


def test_scrub_masks_pairs_whose_quotes_html_escaped():
    line = f"{{&#x27;state&#x27;: &#x27;{STATE}&#x27;, &quot;code&quot;: &quot;{CODE}&quot;, &#x27;store&#x27;: 5}}"

    scrubbed = scrub(line)

    assert STATE not in scrubbed
    assert CODE not in scrubbed
    assert "&#x27;store&#x27;: 5" in scrubbed


def test_a_logged_exception_is_masked_in_the_handler_output():
    import io

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretsFilter())
    logger = logging.getLogger("tests.logs.exception")
    logger.addHandler(handler)
    try:
        raise ValueError("refused row: Atzr|IwEBIA-refresh-in-a-message")
    except ValueError:
        logger.exception("Saving failed")
    finally:
        logger.removeHandler(handler)

    assert "Saving failed" in stream.getvalue()
    assert "ValueError" in stream.getvalue()
    assert "IwEBIA-refresh-in-a-message" not in stream.getvalue()


def test_error_reports_mask_secret_variables_and_the_query_even_with_debug_on(rf, settings):
    import sys

    from asc_project.logs import ExceptionReporter

    settings.DEBUG = True
    request = rf.get("/amazon/callback/", {"state": STATE, "spapi_oauth_code": CODE})

    secret = "-".join(["s3cr3t", "client", "secret", "value"])  # not in the source lines the report shows

    def fail(client_secret):
        raise RuntimeError("boom")

    try:
        fail(secret)
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())
        pages = [reporter.get_traceback_html(), reporter.get_traceback_text()]

    for page in pages:
        assert "boom" in page
        assert secret not in page
        assert STATE not in page
        assert CODE not in page

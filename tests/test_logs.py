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

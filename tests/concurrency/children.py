"""What the processes of the concurrency tests run, each with its own Django on the test database.

Nothing here imports Django at module level: a spawned process imports this module before its settings exist.
"""

import os
import traceback


def _setup(environment: dict[str, str]) -> None:
    os.environ.update(environment)
    import django

    django.setup()


def _report(results, work) -> None:
    """Put what `work()` returns on the results queue, or the traceback of its failure; close the connections."""
    try:
        results.put({"pid": os.getpid(), **work()})
    except Exception:
        results.put({"pid": os.getpid(), "error": traceback.format_exc()})
    finally:
        from django.db import connections

        connections.close_all()


def callback_visit(environment: dict[str, str], session_key: str, query: dict, start, results) -> None:
    """Come back from Seller Central with `query` in the browser session `session_key`; report both answers.

    `start` is a barrier or an event: the callback is requested once it lets the process through.
    """
    _setup(environment)

    def work():
        from django.conf import settings
        from django.test import Client
        from django.urls import reverse

        # A failing view answers 500 here, as a server would, instead of raising in this process.
        client = Client(raise_request_exception=False)
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        if start.wait(60) is False:
            raise TimeoutError("never told to start")
        callback = client.get(reverse("sellerauth:callback"), query)
        page = client.get(reverse("sellerauth:result"))
        return {"callback": callback.status_code, "result": page.status_code, "page": page.content.decode()}

    _report(results, work)


def access_token_then_again(environment: dict[str, str], authorization_id: int, renewed, results) -> None:
    """Get an access token for the authorization; once `renewed` is set, get one again, then refresh anew."""
    _setup(environment)
    from sellerauth import access_tokens
    from sellerauth.models import SellerAuthorization

    def token() -> str:
        return access_tokens.access_token_get(authorization=SellerAuthorization.objects.get(pk=authorization_id))

    _report(results, lambda: {"step": "during", "token": token()})

    def after():
        if not renewed.wait(60):
            raise TimeoutError("the renewal never finished")
        cached = token()
        access_tokens.access_token_forget(authorization_id=authorization_id)
        return {"step": "after", "cached": cached, "refreshed": token()}

    _report(results, after)

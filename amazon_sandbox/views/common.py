"""What every page of the sandbox's Seller Central shares."""

import functools
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache


def seller_central_page(view):
    """Mark a view as a page of Amazon's, not the application's: no app sign-in, no caching."""

    @login_not_required
    @never_cache
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        # The state travels in the consent URL and in the redirects back: keep those out of any Referer.
        # Other pages keep the site's same-origin policy, because with no-referrer browsers send
        # "Origin: null" on form posts and the CSRF check refuses them.
        if "state" in request.GET or 300 <= response.status_code < 400:
            response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


def error_page(request, *, message, code: str = "", status: int = 400):
    """Render Seller Central's error page, quoting Amazon's error code when there is one."""
    return render(request, "amazon_sandbox/error.html", {"code": code, "message": message}, status=status)


def with_query(uri: str, **params: str) -> str:
    """Return a URI with parameters added to its query, keeping those it has."""
    parts = urlsplit(uri)
    query = "&".join(filter(None, [parts.query, urlencode(params)]))
    return urlunsplit(parts._replace(query=query))

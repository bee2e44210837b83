"""System checks: every Amazon setting that is missing or malformed, with how to fix it."""

import hmac
import re
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Warning, register

from .amazon_client import plain_http_allowed
from .login_uri import host_is_plain

APPLICATION_ID = re.compile(r"amzn1\.(sp\.solution|sellerapps\.app)\.[A-Za-z0-9-]+")
CLIENT_ID = re.compile(r"amzn1\.application-oa2-client\.[A-Za-z0-9-]+")


@register()
def check_token_keys(app_configs, **kwargs):
    if not settings.ASC_TOKEN_KEYS:
        return [
            Error(
                "ASC_TOKEN_KEYS is empty: refresh tokens from Amazon could not be stored.",
                hint="`make run` writes a development key into .env; elsewhere generate one with "
                'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())".',
                id="sellerauth.E003",
            )
        ]
    errors = []
    for position, key in enumerate(settings.ASC_TOKEN_KEYS, start=1):
        try:
            Fernet(key)
        except ValueError:
            errors.append(
                Error(
                    f"ASC_TOKEN_KEYS: key {position} is not a Fernet key (32 bytes, URL-safe base64).",
                    hint='Generate one with python -c "from cryptography.fernet import Fernet; '
                    'print(Fernet.generate_key().decode())".',
                    id="sellerauth.E001",
                )
            )
    return errors


@register()
def check_sandbox(app_configs, **kwargs):
    if settings.AMAZON_SANDBOX and not settings.DEBUG and not settings.AMAZON_SANDBOX_ALLOWED_WITHOUT_DEBUG:
        return [
            Error(
                "AMAZON_SANDBOX is on while DEBUG is off: the embedded Seller Central sandbox must not serve a "
                "production site.",
                hint="Set AMAZON_SANDBOX=false and the real Amazon settings, or, for a demo deployment only, "
                "AMAZON_SANDBOX_ALLOWED_WITHOUT_DEBUG=true.",
                id="sellerauth.E002",
            )
        ]
    return []


@register()
def check_amazon_credentials(app_configs, **kwargs):
    errors = []
    app_id, client_id = settings.SPAPI_APPLICATION_ID, settings.LWA_CLIENT_ID
    if CLIENT_ID.fullmatch(app_id):
        errors.append(
            Error(
                "SPAPI_APPLICATION_ID holds an LWA client ID (amzn1.application-oa2-client.…).",
                hint="Use the application ID from Seller Central › Develop Apps (amzn1.sp.solution.…); the client ID "
                "goes in LWA_CLIENT_ID. Mixing them up makes Amazon's consent page fail.",
                id="sellerauth.E010",
            )
        )
    elif not APPLICATION_ID.fullmatch(app_id):
        errors.append(
            Error(
                "SPAPI_APPLICATION_ID is missing or malformed.",
                hint="Set it to your application's ID from Seller Central › Develop Apps, e.g. amzn1.sp.solution.….",
                id="sellerauth.E011",
            )
        )
    if not CLIENT_ID.fullmatch(client_id):
        errors.append(
            Error(
                "LWA_CLIENT_ID is missing or malformed.",
                hint="Set it to the Login with Amazon client identifier of the application "
                "(amzn1.application-oa2-client.…), shown under 'View' LWA credentials in Develop Apps.",
                id="sellerauth.E012",
            )
        )
    if not settings.LWA_CLIENT_SECRET:
        errors.append(
            Error(
                "LWA_CLIENT_SECRET is missing.",
                hint="Set it to the application's LWA client secret (rotate it every 180 days in Develop Apps).",
                id="sellerauth.E013",
            )
        )
    previous = settings.LWA_CLIENT_SECRET_PREVIOUS
    if previous and hmac.compare_digest(previous.encode(), settings.LWA_CLIENT_SECRET.encode()):
        errors.append(
            Error(
                "LWA_CLIENT_SECRET_PREVIOUS is the same as LWA_CLIENT_SECRET.",
                hint="While the client secret is rotated, LWA_CLIENT_SECRET holds the new secret and "
                "LWA_CLIENT_SECRET_PREVIOUS the one it replaces; outside a rotation leave LWA_CLIENT_SECRET_PREVIOUS "
                "empty.",
                id="sellerauth.E014",
            )
        )
    return errors


@register()
def check_urls(app_configs, **kwargs):
    errors = []
    redirect = urlsplit(settings.AMAZON_REDIRECT_URI)
    local = redirect.hostname in {"127.0.0.1", "localhost"}
    if not (redirect.scheme == "https" or (redirect.scheme == "http" and local)) or not redirect.netloc:
        errors.append(
            Error(
                "AMAZON_REDIRECT_URI must be an absolute https URL (http only on localhost).",
                hint="Set it to the redirect URI registered for the application, e.g. "
                "https://asc.example.com/amazon/callback/.",
                id="sellerauth.E020",
            )
        )
    elif redirect.fragment or "#" in settings.AMAZON_REDIRECT_URI:
        errors.append(
            Error(
                "AMAZON_REDIRECT_URI must not contain a fragment (#): Amazon refuses it (MD5110).", id="sellerauth.E021"
            )
        )
    elif not redirect.path.endswith("/amazon/callback/"):
        errors.append(
            Warning(
                "AMAZON_REDIRECT_URI does not end in /amazon/callback/, where this application receives Amazon's "
                "answer.",
                id="sellerauth.W022",
            )
        )
    if not plain_http_allowed():
        urls = [settings.AMAZON_LWA_TOKEN_URL, *settings.AMAZON_SPAPI_ENDPOINTS.values()]
        urls += [settings.AMAZON_SANDBOX_SELLER_CENTRAL_URL, *settings.AMAZON_SELLER_CENTRAL_URLS.values()]
        errors += [
            Error(
                f"Amazon URL {url!r} is not an https URL.",
                hint="Use Amazon's https endpoints. Plain http is allowed only for the embedded sandbox with "
                "DEBUG on; a sandbox deployed with DEBUG off needs an https SITE_URL.",
                id="sellerauth.E023",
            )
            for url in urls
            if url and urlsplit(url).scheme != "https"
        ]
    return errors


@register()
def check_callback_hosts(app_configs, **kwargs):
    hosts = settings.AMAZON_CALLBACK_HOSTS
    if not hosts:
        return [
            Error(
                "AMAZON_CALLBACK_HOSTS is empty: Re-Authorize from Seller Central could never come back here.",
                hint="Leave AMAZON_CALLBACK_HOSTS unset for Amazon's Seller Central hosts, or list them, e.g. "
                "sellercentral.amazon.com,sellercentral-europe.amazon.com.",
                id="sellerauth.E030",
            )
        ]
    return [
        Error(
            f"AMAZON_CALLBACK_HOSTS: {host!r} is not a bare host name.",
            hint="List host names only, in lower case, without scheme, port, path, wildcard or trailing dot, e.g. "
            "sellercentral.amazon.com.",
            id="sellerauth.E031",
        )
        for host in hosts
        if host != host.lower() or not host_is_plain(host)
    ]

"""
The SP-API's usage plans: a token bucket per seller, application and operation.

https://developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits: a bucket holds up to `burst`
requests and refills at `rate` requests per second; a call finding it empty is throttled (429 QuotaExceeded).
Amazon's documented plans are the defaults; the setting AMAZON_SANDBOX_USAGE_PLANS overrides any of them,
e.g. {"getMarketplaceParticipations": {"rate": 1, "burst": 2}}, so tests and demos can shrink them.
The buckets are database rows, so every process serving the sandbox counts against the same ones.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .models import SandboxSeller, UsageBucket

SETTING = "AMAZON_SANDBOX_USAGE_PLANS"


@dataclass(frozen=True)
class UsagePlan:
    rate: float  # requests per second
    burst: int

    @property
    def limit_header(self) -> str:
        """Return the rate as the x-amzn-RateLimit-Limit header gives it, in requests per second."""
        return f"{self.rate:g}"


# Amazon's plans, from each operation's reference page.
DEFAULT_PLANS = {
    "getMarketplaceParticipations": UsagePlan(rate=0.016, burst=15),
}


def usage_plan_problems(config) -> list[str]:
    """Return what is wrong with the usage plans setting, one sentence each; empty when it is usable."""
    if config is None:
        return []
    if not isinstance(config, dict):
        return [f"{SETTING} must be a dict of operation names to {{'rate': …, 'burst': …}}."]
    problems = []
    for operation, plan in config.items():
        if operation not in DEFAULT_PLANS:
            problems.append(f"{SETTING} names {operation!r}, an operation the sandbox does not serve.")
        elif not isinstance(plan, dict) or set(plan) - {"rate", "burst"}:
            problems.append(f"{SETTING}[{operation!r}] must be a dict with the keys 'rate' and 'burst'.")
        elif not _positive_number(plan.get("rate", 1)) or not _whole_number(plan.get("burst", 1)):
            problems.append(f"{SETTING}[{operation!r}] needs a rate above 0 and a burst of 1 or more.")
    return problems


def usage_plan(*, operation: str) -> UsagePlan:
    """Return the usage plan of an operation, read from settings now."""
    config = getattr(settings, SETTING, None)
    problems = usage_plan_problems(config)
    if problems:
        raise ImproperlyConfigured(" ".join(problems))
    default = DEFAULT_PLANS[operation]
    override = (config or {}).get(operation, {})
    return UsagePlan(rate=float(override.get("rate", default.rate)), burst=int(override.get("burst", default.burst)))


def usage_take(*, seller: SandboxSeller, application_id: str, operation: str) -> bool:
    """Spend one request of the bucket of a seller, application and operation; False when it is empty."""
    plan = usage_plan(operation=operation)
    now = timezone.now()
    with transaction.atomic():
        # The row lock makes concurrent calls of the same seller and application count one after the other.
        bucket, _ = UsageBucket.objects.select_for_update().get_or_create(
            seller=seller,
            application_id=application_id,
            operation=operation,
            defaults={"tokens": plan.burst, "updated_at": now},
        )
        elapsed = max((now - bucket.updated_at).total_seconds(), 0.0)
        available = min(float(plan.burst), bucket.tokens + elapsed * plan.rate)
        allowed = available >= 1
        bucket.tokens = available - 1 if allowed else available
        # A clock that went back (a test travelling in time) refills nothing and never moves the count back.
        bucket.updated_at = max(now, bucket.updated_at)
        bucket.save(update_fields=["tokens", "updated_at"])
    return allowed


def _positive_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _whole_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1

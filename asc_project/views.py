from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from .health import health_report


def csrf_failure(request, reason=""):
    """Explain a refused form in the application's own page instead of Django's technical one."""
    return render(request, "403_csrf.html", status=403)


@login_not_required  # load balancers do not sign in; the answer names the checks and their outcome, nothing else
@csrf_exempt  # it changes nothing: any method but GET and HEAD gets 405, not a CSRF page
@require_safe
@never_cache
def healthz(request):
    """Answer 200 when the database, the cache and the migrations are fine, else 503 naming what failed."""
    checks = health_report()
    healthy = all(outcome == "ok" for outcome in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)

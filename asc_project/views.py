from django.shortcuts import render


def csrf_failure(request, reason=""):
    """Explain a refused form in the application's own page instead of Django's technical one."""
    return render(request, "403_csrf.html", status=403)

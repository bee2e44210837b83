from django.http import HttpResponse
from django.urls import path

from asc_project.urls import urlpatterns as project_urls

# The floor: the same stack (middleware, session, login check) answering with a stored copy of the home page.
FLOOR = {"html": b""}


def floor(request):
    return HttpResponse(FLOOR["html"])


def minimal(request):
    """Answer two bytes through the same stack, signed in like the pages: the load run's baseline (bench/load.py)."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("__floor__/", floor, name="bench_floor"),
    path("bench/minimal/", minimal, name="bench_minimal"),
    *project_urls,
]

from django.http import HttpResponse
from django.urls import path

from asc_project.urls import urlpatterns as project_urls

# The floor: the same stack (middleware, session, login check) answering with a stored copy of the home page.
FLOOR = {"html": b""}


def floor(request):
    return HttpResponse(FLOOR["html"])


urlpatterns = [path("__floor__/", floor, name="bench_floor"), *project_urls]

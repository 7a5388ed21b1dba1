"""Hearth's URLs plus /bench/ping, the trivial Django JSON view used as the ceiling."""

from django.http import JsonResponse
from django.urls import path

from server.urls import handler404, handler500  # noqa: F401
from server.urls import urlpatterns as hearth_urlpatterns


def ping(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench/ping", ping), *hearth_urlpatterns]

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from server.core.exceptions import error_body

logger = logging.getLogger("hearth")


def healthz(request):
    """The process is up (no dependency checked)."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """The database and the cache answer; 503 otherwise."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready
        logger.warning("readyz: database check failed: %s", exc)
        checks["database"] = "unavailable"
    try:
        cache.set("readyz", "1", timeout=5)
        checks["cache"] = "ok" if cache.get("readyz") == "1" else "unavailable"
    except Exception as exc:
        logger.warning("readyz: cache check failed: %s", exc)
        checks["cache"] = "unavailable"
    ok = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)


def not_found(request, exception=None):
    return JsonResponse(error_body(code="not_found", message="Not found."), status=404)


def bad_request(request, exception=None):
    """Django's own 400s (too many query fields, a disallowed Host, other SuspiciousOperation)."""
    return JsonResponse(error_body(code="bad_request", message="Bad request."), status=400)


def permission_denied(request, exception=None):
    """Django's own 403s raised outside DRF views (e.g. a CSRF failure)."""
    return JsonResponse(
        error_body(code="permission_denied", message="You do not have permission to perform this action."), status=403
    )


def server_error(request):
    return JsonResponse(error_body(code="internal_error", message="Internal server error."), status=500)


class AppConfigOutput(serializers.Serializer):
    support_phone = serializers.CharField()
    stripe_publishable_key = serializers.CharField()
    min_app_version = serializers.CharField()
    currency = serializers.CharField()


class AppConfigView(APIView):
    """What the app needs at start: support phone, Stripe publishable key, minimum app version."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses=AppConfigOutput, operation_id="app_config_retrieve")
    def get(self, request):
        data = {
            "support_phone": settings.SUPPORT_PHONE,
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "min_app_version": settings.MIN_APP_VERSION,
            "currency": settings.DEFAULT_CURRENCY,
        }
        return Response(AppConfigOutput(data).data, headers={"Cache-Control": "public, max-age=300"})

"""Tiny views that raise each kind of error, so tests drive the real exception handler.

Used with `@pytest.mark.urls("tests.core.urls_for_tests")`.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import include, path
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from server.core.errors import ApplicationError


class SlotTaken(ApplicationError):
    code = "slot_taken"
    status = 409
    message = "That slot is taken."


class BusyRetryLater(ApplicationError):
    code = "busy"
    status = 409
    message = "Still working on it."
    retry_after = 2


class ItemInput(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=10)


class EchoInput(serializers.Serializer):
    name = serializers.CharField(max_length=10)
    count = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["plumbing", "electrical"])
    items = ItemInput(many=True, required=False)


class Public(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []


class EchoView(Public):
    def post(self, request):
        data = EchoInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(data.validated_data)


class BoomView(Public):
    def get(self, request):
        raise RuntimeError("secret internal detail: password=hunter2")


class MissingView(Public):
    def get(self, request):
        raise Http404("no such thing")


class ForbiddenView(Public):
    def get(self, request):
        raise DjangoPermissionDenied


class DjangoInvalidView(Public):
    def get(self, request):
        raise DjangoValidationError({"scheduled_for": ["Must be in the future."]})


class SlotTakenView(Public):
    def post(self, request):
        raise SlotTaken(fields={"scheduled_for": ["Pick another time."]})


class BusyView(Public):
    def post(self, request):
        raise BusyRetryLater


class OncePerMinute(AnonRateThrottle):
    scope = "tests_once"
    rate = "1/min"


class ThrottledView(Public):
    throttle_classes = [OncePerMinute]

    def get(self, request):
        return Response({"ok": True})


class PrivateView(APIView):
    permission_classes = [IsAuthenticated]  # default JWT authentication

    def get(self, request):
        return Response({"id": request.user.id})


def plain_django_crash(request):
    """Not a DRF view: its crash goes through Django's handler500, not the DRF handler."""
    raise RuntimeError("secret internal detail: password=hunter2")


urlpatterns = [
    path("plain/crash/", plain_django_crash),
    path("t/echo/", EchoView.as_view()),
    path("t/boom/", BoomView.as_view()),
    path("t/missing/", MissingView.as_view()),
    path("t/forbidden/", ForbiddenView.as_view()),
    path("t/django-invalid/", DjangoInvalidView.as_view()),
    path("t/slot-taken/", SlotTakenView.as_view()),
    path("t/throttled/", ThrottledView.as_view()),
    path("t/busy/", BusyView.as_view()),
    path("t/private/", PrivateView.as_view()),
    # The real routes too: middleware and link-building code may reverse the app's URL names.
    path("", include("server.urls")),
]

handler404 = "server.core.views.not_found"
handler500 = "server.core.views.server_error"

"""POST payments/stripe/webhook/ — Stripe's signed events (no user auth; the signature is the auth)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from server.payments import gateway
from server.payments.services.stripe_events import stripe_event_receive


class RawJSONParser(BaseParser):
    """Leaves the body untouched: the signature is over the exact bytes Stripe sent."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read() if stream is not None else b""


WebhookAck = inline_serializer("StripeWebhookAck", fields={"received": serializers.BooleanField()})


class StripeWebhookView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    parser_classes = [RawJSONParser]

    @extend_schema(
        operation_id="payments_stripe_webhook",
        summary="Stripe webhook (called by Stripe, not by the app)",
        description=(
            "Signed Stripe events. The Stripe-Signature header is verified with the webhook secret "
            f"and a {gateway.WEBHOOK_TOLERANCE_SECONDS}s tolerance; a missing, forged or stale signature is "
            "400 invalid_signature. Each event id is processed once (a replay is 200 and ignored). "
            "payment_intent.succeeded / payment_failed / canceled and charge.refunded settle the order "
            "from Stripe's current state; other types are acknowledged and ignored."
        ),
        auth=[],
        parameters=[OpenApiParameter("Stripe-Signature", str, OpenApiParameter.HEADER, required=True)],
        request={"application/json": {"type": "object", "additionalProperties": True}},
        responses={200: WebhookAck, 400: OpenApiResponse(description="invalid_signature or validation_error")},
        tags=["payments"],
    )
    def post(self, request):
        event = gateway.webhook_event_verify(payload=request.body, signature=request.headers.get("Stripe-Signature"))
        stripe_event_receive(event=event)
        return Response({"received": True})


urlpatterns = [
    path("payments/stripe/webhook/", StripeWebhookView.as_view(), name="stripe-webhook"),
]

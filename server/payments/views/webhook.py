"""POST payments/stripe/webhook/ — Stripe's signed events (no user auth; the signature is the auth)."""

from __future__ import annotations

import json

import stripe
from django.conf import settings
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from server.core.errors import ValidationFailed
from server.payments.errors import InvalidSignature
from server.payments.services.stripe_events import stripe_event_receive

SIGNATURE_TOLERANCE_SECONDS = 300


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
            f"and a {SIGNATURE_TOLERANCE_SECONDS}s tolerance; a missing, forged or stale signature is "
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
        payload: bytes = request.body
        header = request.headers.get("Stripe-Signature")
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8", errors="replace"),
                header,
                settings.STRIPE_WEBHOOK_SECRET,
                tolerance=SIGNATURE_TOLERANCE_SECONDS,
            )
        except stripe.SignatureVerificationError:
            raise InvalidSignature()
        try:
            event = json.loads(payload)
        except ValueError:
            raise ValidationFailed("The event body is not JSON.")
        if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
            raise ValidationFailed("The event has no id or type.")
        stripe_event_receive(event=event)
        return Response({"received": True})


urlpatterns = [
    path("payments/stripe/webhook/", StripeWebhookView.as_view(), name="stripe-webhook"),
]

"""Incoming Stripe webhook events: stored once by id, then used as a trigger to settle.

The event body is never trusted for state: it only says which order to re-read from
Stripe (order_settle does that). Signature checking is the view's job; this module
receives an already-verified event.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from server.payments.models import Order, StripeEvent
from server.payments.services.settlement import order_settle

logger = logging.getLogger("hearth.payments.webhook")

SETTLING_EVENTS = frozenset(
    {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.canceled",
        "charge.refunded",
    }
)


def _order_id_for(event_type: str, obj: dict[str, Any]) -> int | None:
    pi_id = obj.get("payment_intent") if event_type.startswith("charge.") else obj.get("id")
    if isinstance(pi_id, dict):
        pi_id = pi_id.get("id")
    if pi_id:
        found = Order.objects.filter(stripe_payment_intent_id=pi_id).values_list("pk", flat=True).first()
        if found:
            return found
    metadata = obj.get("metadata") or {}
    raw = metadata.get("order_id") if isinstance(metadata, dict) else None
    if raw and str(raw).isdigit() and pi_id:
        # Metadata only points at the order; settle() still checks the intent is the order's.
        return Order.objects.filter(pk=int(raw), stripe_payment_intent_id=pi_id).values_list("pk", flat=True).first()
    return None


def stripe_event_receive(*, event: dict[str, Any]) -> bool:
    """Record a verified event once and settle the order it concerns.

    Returns False for a replay of an event already processed (acknowledged, ignored).
    An event whose processing failed (e.g. Stripe unreachable → PaymentProviderError)
    stays unprocessed, so Stripe's retry processes it again.
    """
    event_id = str(event.get("id") or "")[:255]
    event_type = str(event.get("type") or "")[:100]
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(event_id=event_id, type=event_type, payload=event)
    except IntegrityError:
        record = StripeEvent.objects.get(event_id=event_id)
        if record.processed_at is not None:
            return False

    if event_type in SETTLING_EVENTS:
        obj = (event.get("data") or {}).get("object") or {}
        order_id = _order_id_for(event_type, obj) if isinstance(obj, dict) else None
        if order_id is None:
            logger.info("stripe event %s (%s) matches no order; ignored", event_id, event_type)
        else:
            order_settle(order_id=order_id, source=f"webhook:{event_type}")

    StripeEvent.objects.filter(pk=record.pk, processed_at__isnull=True).update(processed_at=timezone.now())
    return True

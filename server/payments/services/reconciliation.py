"""Reconciliation: orders whose webhook never came are settled from Stripe's state.

Pending orders older than ORDER_RECONCILE_AFTER_MINUTES are settled (same order_settle
as the webhook); pending ones older than ORDER_CANCEL_AFTER_HOURS have their
PaymentIntent cancelled at Stripe and are settled again (→ cancelled, or paid if the
customer paid at the last moment: cancelling a succeeded intent is refused by Stripe
and settlement then sees the success).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from server.payments import gateway
from server.payments.errors import PaymentProviderError
from server.payments.models import Order, OrderStatus
from server.payments.services.settlement import order_settle

logger = logging.getLogger("hearth.payments.reconciliation")


def orders_due_for_reconcile(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of pending orders older than ORDER_RECONCILE_AFTER_MINUTES, oldest first."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.ORDER_RECONCILE_AFTER_MINUTES)
    return list(
        Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, created_at__lt=cutoff)
        .order_by("created_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def order_reconcile(*, order_id: int, now: datetime | None = None) -> Order:
    """Settle one pending order from Stripe; cancel it (and its intent) once it is too old.

    Safe to run twice and concurrently with the webhook or confirm/: every move goes
    through order_settle under the order's row lock.
    """
    now = now or timezone.now()
    order = order_settle(order_id=order_id, source="reconcile")
    if order.status != OrderStatus.PENDING_PAYMENT:
        return order
    if order.created_at >= now - timedelta(hours=settings.ORDER_CANCEL_AFTER_HOURS):
        return order

    if order.stripe_payment_intent_id:
        try:
            gateway.payment_intent_cancel(pi_id=order.stripe_payment_intent_id)
        except PaymentProviderError:
            # Stripe refuses to cancel an intent that moved on (e.g. just succeeded): settle
            # from what it is now, and let the task retry only if it is still undecided.
            order = order_settle(order_id=order_id, source="reconcile:cancel-refused")
            if order.status == OrderStatus.PENDING_PAYMENT:
                raise
            return order
        order = order_settle(order_id=order_id, source="reconcile:cancel")
        if order.status != OrderStatus.PENDING_PAYMENT:
            return order
    # No intent (checkout never reached Stripe), or Stripe left it payable: give up on it.
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status == OrderStatus.PENDING_PAYMENT and not order.stripe_payment_intent_id:
            order.status = OrderStatus.CANCELLED
            order.save(update_fields=["status", "updated_at"])
            logger.info(
                "order %s cancelled after %sh without a payment intent", order.pk, settings.ORDER_CANCEL_AFTER_HOURS
            )
    return order

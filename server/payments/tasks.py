"""Payments jobs; thin: ids in, one service call, safe to run twice (acks_late)."""

from __future__ import annotations

from celery import shared_task

from server.payments.errors import PaymentProviderError
from server.payments.services.reconciliation import order_reconcile, orders_due_for_reconcile


@shared_task(name="payments.orders_reconcile_due", acks_late=True)
def orders_reconcile_due() -> int:
    """Every few minutes: queue a reconcile for each pending order past the grace period."""
    ids = orders_due_for_reconcile()
    for order_id in ids:
        order_reconcile_task.delay(order_id)
    return len(ids)


@shared_task(
    name="payments.order_reconcile",
    acks_late=True,
    autoretry_for=(PaymentProviderError,),
    retry_backoff=30,
    max_retries=5,
)
def order_reconcile_task(order_id: int) -> str:
    """Settle (or, when too old, cancel) one pending order from Stripe's state."""
    return order_reconcile(order_id=order_id).status

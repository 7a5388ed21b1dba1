"""Refunds: admin-initiated, full or partial, through Stripe, recorded with who and why."""

from __future__ import annotations

from django.db import transaction

from server.core.errors import NotFound, ValidationFailed
from server.payments import gateway
from server.payments.errors import RefundNotAllowed
from server.payments.models import Order, OrderStatus, Refund
from server.payments.services.settlement import order_refund_totals_apply
from server.plans.selectors.subscriptions import order_visits_used

REFUNDABLE = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


def order_refund(*, order_id: int, actor, amount: int | None = None, reason: str, force: bool = False) -> Refund:
    """Refund `amount` (minor units; default: everything still refundable) of a paid order.

    Refused with `refund_not_allowed` when the order is not paid or nothing is left to
    refund, and for a FULL refund when visits were already used under the order's
    subscriptions — unless `force`, which revokes them anyway and records the refund as
    forced. A full refund revokes the order's subscriptions.

    The Stripe call is made while holding the order's row lock, on purpose: it makes
    concurrent refunds of one order queue up, and keeps the "visits unused" decision true
    until the refund is recorded. Its idempotency key (order, refund number, amount)
    makes a retry after a crash return Stripe's first refund instead of refunding twice.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            raise NotFound("No such order.")
        if order.status not in REFUNDABLE or not order.stripe_payment_intent_id:
            raise RefundNotAllowed("Only a paid order can be refunded.")
        refundable = order.total_amount - order.amount_refunded
        if refundable <= 0:
            raise RefundNotAllowed("Nothing is left to refund on this order.")
        amount = refundable if amount is None else amount
        if amount < 1 or amount > refundable:
            raise ValidationFailed(fields={"amount": [f"Must be between 1 and {refundable}."]})

        full = amount == refundable
        forced = False
        if full and order_visits_used(order=order, for_update=True):
            if not force:
                raise RefundNotAllowed(
                    "Visits were already used under this order's plans; a full refund needs force=true."
                )
            forced = True

        number = order.refunds.count() + 1
        stripe_refund = gateway.refund_create(
            pi_id=order.stripe_payment_intent_id,
            amount=amount,
            idempotency_key=f"order-{order.pk}-refund-{number}-{amount}",
        )
        refund, _ = Refund.objects.get_or_create(
            stripe_refund_id=stripe_refund.id,
            defaults={
                "order": order,
                "amount": amount,
                "currency": order.currency,
                "status": stripe_refund.status or "pending",
                "reason": reason[:500],
                "requested_by": actor,
                "forced": forced,
            },
        )
        order_refund_totals_apply(
            order=order,
            amount_refunded=order.amount_refunded + amount,
            actor=actor,
            reason=reason or "Order refunded",
            force=forced,
        )
    return refund

"""Settlement: the ONE function that moves an order to the state Stripe says it is in.

Called by the webhook (any payment_intent.* / charge.refunded event), by
`POST orders/{id}/confirm/` and by the reconciliation job. Events are triggers, not
truth: the PaymentIntent is re-read from Stripe every time, and the move happens
under the order's row lock, so duplicates, retries, concurrency and any arrival
order converge on the same end state, and a payment is settled exactly once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from server.payments import gateway
from server.payments.models import InvoiceCounter, Order, OrderStatus, Payment, Refund
from server.plans.selectors.subscriptions import order_visits_used
from server.plans.services.subscriptions import subscriptions_activate_for_order, subscriptions_revoke_for_order

logger = logging.getLogger("hearth.payments.settlement")

INVOICE_PREFIX = "HRT"
UNPAID = (OrderStatus.PENDING_PAYMENT, OrderStatus.FAILED, OrderStatus.CANCELLED)


@dataclass(frozen=True)
class StripeView:
    """What Stripe says about an order's PaymentIntent, read before taking any lock."""

    pi_id: str
    status: str
    amount: int
    currency: str
    order_id: str | None
    failed_attempt: bool
    charge_id: str
    card_brand: str
    card_last4: str
    amount_refunded: int
    refunds: tuple[dict[str, Any], ...]


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default) if name in obj else default


def stripe_view_read(*, pi_id: str) -> StripeView:
    """Read the PaymentIntent (latest charge expanded, and its refunds when there are any)."""
    pi = gateway.payment_intent_retrieve(pi_id=pi_id)
    charge = _get(pi, "latest_charge")
    if isinstance(charge, str):  # not expanded (should not happen): treat as unknown details
        charge = None
    card = _get(_get(charge, "payment_method_details"), "card")
    amount_refunded = int(_get(charge, "amount_refunded", 0) or 0)
    refunds: tuple[dict[str, Any], ...] = ()
    if charge is not None and amount_refunded > 0:
        refunds = tuple(
            {"id": r.id, "amount": r.amount, "status": r.status, "currency": r.currency}
            for r in gateway.charge_refunds_list(charge_id=charge.id)
        )
    metadata = _get(pi, "metadata") or {}
    return StripeView(
        pi_id=pi.id,
        status=pi.status,
        amount=int(pi.amount),
        currency=str(pi.currency).lower(),
        order_id=_get(metadata, "order_id"),
        failed_attempt=bool(_get(pi, "last_payment_error")) or _get(charge, "status") == "failed",
        charge_id=_get(charge, "id", "") or "",
        card_brand=_get(card, "brand", "") or "",
        card_last4=_get(card, "last4", "") or "",
        amount_refunded=amount_refunded,
        refunds=refunds,
    )


def invoice_number_next(*, year: int) -> str:
    """The next invoice number of `year` ("HRT-2026-000001"), sequential and gap-free.

    Precondition: inside the transaction that records the payment — the counter row
    stays locked until it commits, and a rollback gives the number back.
    """
    InvoiceCounter.objects.bulk_create([InvoiceCounter(year=year)], ignore_conflicts=True)
    counter = InvoiceCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{INVOICE_PREFIX}-{year}-{counter.last_number:06d}"


def order_settle(*, order_id: int, source: str) -> Order:
    """Move the order to the state Stripe reports for its PaymentIntent, exactly once.

    - succeeded → paid (once: invoice number, paid_at, Payment row with card brand/last4,
      subscriptions activated in the same transaction); also from failed/cancelled,
      since Stripe holding the money is the truth;
    - requires_payment_method after a failed attempt → failed (the customer may check
      out again; a later success still settles it);
    - canceled → cancelled (unless already paid);
    - refunds on the charge → amount_refunded and refunded/partially_refunded synced;
      a full refund revokes the subscriptions when no visits were used (or when one of
      the order's refunds was forced).
    Anything else (processing, requires_action…) leaves the order as it is. Never takes
    the lock while talking to Stripe. `source` is for the log ("webhook", "confirm", …).
    """
    pi_id = Order.objects.filter(pk=order_id).values_list("stripe_payment_intent_id", flat=True).first()
    if not pi_id:
        return Order.objects.get(pk=order_id)
    view = stripe_view_read(pi_id=pi_id)

    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.stripe_payment_intent_id != view.pi_id:
            return order  # the order moved to another intent meanwhile; that one decides
        if view.order_id is not None and view.order_id != str(order.pk):
            logger.error("PI %s metadata order_id=%s does not match order %s", view.pi_id, view.order_id, order.pk)
            return order
        before = order.status

        if view.status == "succeeded":
            _apply_paid(order, view)
            _apply_refunds(order, view)
        elif view.status == "canceled" and order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.FAILED):
            _set_status(order, OrderStatus.CANCELLED)
        elif (
            view.status == "requires_payment_method"
            and view.failed_attempt
            and order.status == OrderStatus.PENDING_PAYMENT
        ):
            _set_status(order, OrderStatus.FAILED)

        if order.status != before:
            logger.info("order %s: %s → %s (stripe %s, via %s)", order.pk, before, order.status, view.status, source)
    return order


def _set_status(order: Order, status: str) -> None:
    order.status = status
    order.save(update_fields=["status", "updated_at"])


def _apply_paid(order: Order, view: StripeView) -> None:
    if order.paid_at is not None:
        return
    if view.amount != order.total_amount or view.currency != order.currency.lower():
        # Never hand out plans for a different sum than the order's; needs a human.
        logger.error(
            "order %s: PI %s is %s %s but the order totals %s %s; not settled",
            order.pk,
            view.pi_id,
            view.amount,
            view.currency,
            order.total_amount,
            order.currency,
        )
        return
    now = timezone.now()
    order.paid_at = now
    order.invoice_number = invoice_number_next(year=now.year)
    order.status = OrderStatus.PAID
    order.save(update_fields=["paid_at", "invoice_number", "status", "updated_at"])
    Payment.objects.get_or_create(
        stripe_payment_intent_id=view.pi_id,
        defaults={
            "order": order,
            "stripe_charge_id": view.charge_id,
            "amount": view.amount,
            "currency": order.currency,
            "card_brand": view.card_brand[:32],
            "card_last4": view.card_last4[:4],
        },
    )
    subscriptions_activate_for_order(order=order)


def _apply_refunds(order: Order, view: StripeView) -> None:
    """Record refunds Stripe knows and we don't (e.g. made in Stripe's dashboard); sync totals."""
    if order.paid_at is None:
        return
    known = set(order.refunds.values_list("stripe_refund_id", flat=True))
    for r in view.refunds:
        if r["id"] not in known and r["status"] in ("succeeded", "pending"):
            Refund.objects.create(
                order=order,
                stripe_refund_id=r["id"],
                amount=r["amount"],
                currency=order.currency,
                status=r["status"],
                reason="Refunded at Stripe",
            )
    refunded = max(order.amount_refunded, view.amount_refunded)
    if refunded == order.amount_refunded and order.status != OrderStatus.PAID:
        return
    if refunded == 0:
        return
    order_refund_totals_apply(order=order, amount_refunded=refunded, actor=None, reason="Refunded at Stripe")


def order_refund_totals_apply(*, order: Order, amount_refunded: int, actor, reason: str, force: bool = False) -> None:
    """Set amount_refunded and the refund status; a full refund revokes the subscriptions.

    Precondition: inside transaction.atomic holding the order's row lock. Revokes when no
    visits were used, or when `force` (or an earlier forced refund of this order) says so.
    """
    order.amount_refunded = min(amount_refunded, order.total_amount)
    full = order.amount_refunded >= order.total_amount
    order.status = OrderStatus.REFUNDED if full else OrderStatus.PARTIALLY_REFUNDED
    order.save(update_fields=["amount_refunded", "status", "updated_at"])
    if not full:
        return
    forced = force or order.refunds.filter(forced=True).exists()
    if forced or not order_visits_used(order=order, for_update=True):
        subscriptions_revoke_for_order(order=order, actor=actor, reason=reason or "Order refunded")
    else:
        logger.warning("order %s fully refunded at Stripe with visits used; subscriptions kept", order.pk)

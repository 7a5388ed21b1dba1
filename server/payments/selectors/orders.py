"""Reads of orders: a customer sees only their own (others' are 404, as if absent)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from server.core.errors import NotFound
from server.payments.models import Order, OrderStatus


def _with_details(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.prefetch_related("lines", "payments")


def order_list_for_customer(*, customer) -> QuerySet[Order]:
    """The customer's orders, newest first, with lines and payments prefetched (flat query count)."""
    return _with_details(Order.objects.filter(customer=customer).order_by("-created_at", "-id"))


def order_get_for_customer(*, customer, order_id: int) -> Order:
    """One of the customer's orders; NotFound for anyone else's."""
    order = _with_details(Order.objects.filter(customer=customer, pk=order_id)).first()
    if order is None:
        raise NotFound("No such order.")
    return order


def order_payment_method(*, order: Order) -> dict[str, str] | None:
    """{brand, last4} of the card that paid `order`, when Stripe told us (uses prefetched payments)."""
    payments = sorted(order.payments.all(), key=lambda p: (p.created_at, p.pk), reverse=True)
    for payment in payments:
        if payment.card_brand or payment.card_last4:
            return {"brand": payment.card_brand, "last4": payment.card_last4}
    return None


def order_resumable_for_customer(*, customer) -> Order | None:
    """The newest pending order young enough to still be paid (see checkout_start)."""
    hours = getattr(settings, "ORDER_CANCEL_AFTER_HOURS", 24)
    return (
        Order.objects.select_related("customer")
        .filter(
            customer=customer,
            status=OrderStatus.PENDING_PAYMENT,
            created_at__gte=timezone.now() - timedelta(hours=hours),
        )
        .order_by("-created_at", "-id")
        .first()
    )

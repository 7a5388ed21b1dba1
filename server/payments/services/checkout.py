"""Checkout: the cart becomes an Order (a frozen snapshot), then a Stripe PaymentIntent.

Two steps, deliberately not one transaction:

1. `order_create_from_cart` — one DB transaction: lock the cart, snapshot it into an
   Order with lines (prices, validity, entitlements as they are now), empty the cart.
2. `checkout_payment_prepare` — Stripe calls, outside any DB transaction: get or create
   the Stripe customer, create the PaymentIntent (Stripe idempotency key derived from
   the order id, so repeating this step returns the same intent), store its id on the
   order, create the ephemeral key.

If step 2 fails (502 `payment_provider_error`), the order stays `pending_payment`; the
next checkout with an empty cart resumes that order instead of failing with
`cart_empty` or creating a second one — with or without an Idempotency-Key.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from server.payments import gateway
from server.payments.errors import CartCurrencyMismatch, CartEmpty, PlanNotActive
from server.payments.models import Cart, Order, OrderLine, OrderStatus
from server.payments.selectors.orders import order_resumable_for_customer

logger = logging.getLogger("hearth.payments.checkout")

# PaymentIntent states in which PaymentSheet can still collect a payment.
PAYABLE_INTENT_STATES = frozenset({"requires_payment_method", "requires_confirmation", "requires_action"})


@dataclass(frozen=True)
class CheckoutResult:
    """What PaymentSheet needs, next to the order."""

    order: Order
    payment_intent_id: str
    client_secret: str
    customer_id: str
    ephemeral_key: str
    publishable_key: str


def tax_included(*, total: int, rate_bp: int) -> int:
    """The tax contained in a tax-inclusive `total`: round(total * rate / (10000 + rate)), half up."""
    if rate_bp <= 0 or total <= 0:
        return 0
    denominator = 10000 + rate_bp
    return (2 * total * rate_bp + denominator) // (2 * denominator)


def order_create_from_cart(*, customer) -> Order:
    """Snapshot the customer's cart into a pending Order and empty the cart (one transaction).

    Raises CartEmpty, PlanNotActive (a plan in the cart is no longer on sale) or
    CartCurrencyMismatch; on any refusal nothing changes.
    """
    with transaction.atomic():
        cart = Cart.objects.select_for_update().filter(customer=customer).first()
        items = (
            list(cart.items.select_related("plan").prefetch_related("plan__entitlements__category").order_by("id"))
            if cart
            else []
        )
        if not items:
            raise CartEmpty()
        inactive = [item.plan.name for item in items if not item.plan.is_active]
        if inactive:
            raise PlanNotActive(f"No longer available: {', '.join(inactive)}. Remove it from your cart.")
        currencies = {item.plan.currency for item in items}
        if len(currencies) > 1:
            raise CartCurrencyMismatch()

        rate_bp = settings.TAX_RATE_BP
        subtotal = sum(item.plan.price_amount * item.quantity for item in items)
        order = Order.objects.create(
            customer=customer,
            status=OrderStatus.PENDING_PAYMENT,
            currency=currencies.pop(),
            subtotal_amount=subtotal,
            tax_amount=tax_included(total=subtotal, rate_bp=rate_bp),
            total_amount=subtotal,
            tax_rate_bp=rate_bp,
        )
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    plan=item.plan,
                    plan_name=item.plan.name,
                    plan_slug=item.plan.slug,
                    unit_amount=item.plan.price_amount,
                    quantity=item.quantity,
                    line_total=item.plan.price_amount * item.quantity,
                    currency=item.plan.currency,
                    validity_days=item.plan.validity_days,
                    entitlements=[
                        {"category_id": e.category_id, "category_slug": e.category.slug, "visits": e.visits}
                        for e in item.plan.entitlements.all()
                    ],
                )
                for item in items
            ]
        )
        cart.items.all().delete()
        cart.save(update_fields=["updated_at"])
    return order


def checkout_payment_prepare(*, order: Order, intent=None) -> CheckoutResult:
    """Get PaymentSheet's parameters for a pending `order` from Stripe; safe to repeat.

    `intent` is the order's PaymentIntent when the caller has just read it. Must be
    called outside a DB transaction (it talks to Stripe). Raises
    PaymentProviderError (502) when Stripe fails; the order is then left pending and
    a repeat of this call picks up where it stopped.
    """
    customer_id = gateway.customer_get_or_create(user=order.customer)
    if order.stripe_payment_intent_id:
        if intent is None or intent.id != order.stripe_payment_intent_id:
            intent = gateway.payment_intent_retrieve(pi_id=order.stripe_payment_intent_id)
    else:
        intent = gateway.payment_intent_create(order=order, customer_id=customer_id)
        with transaction.atomic():
            locked = Order.objects.select_for_update().get(pk=order.pk)
            if locked.stripe_payment_intent_id is None:
                locked.stripe_payment_intent_id = intent.id
                locked.save(update_fields=["stripe_payment_intent_id", "updated_at"])
            elif locked.stripe_payment_intent_id != intent.id:  # pragma: no cover - Stripe idempotency prevents it
                logger.error(
                    "order %s has intent %s, Stripe returned %s", order.pk, locked.stripe_payment_intent_id, intent.id
                )
            order = locked
    ephemeral_key = gateway.ephemeral_key_create(customer_id=customer_id)
    return CheckoutResult(
        order=order,
        payment_intent_id=intent.id,
        client_secret=intent.client_secret,
        customer_id=customer_id,
        ephemeral_key=ephemeral_key,
        publishable_key=gateway.publishable_key(),
    )


def checkout_start(*, customer) -> CheckoutResult:
    """`POST checkout/`: order the cart and prepare its payment.

    With an empty cart, a recent pending order of this customer whose PaymentIntent is
    still payable (or was never created because Stripe failed) is resumed instead:
    a retry after a 502 or a lost response never makes a second order.
    """
    try:
        order = order_create_from_cart(customer=customer)
    except CartEmpty:
        order = order_resumable_for_customer(customer=customer)
        if order is None:
            raise
        if order.stripe_payment_intent_id:
            intent = gateway.payment_intent_retrieve(pi_id=order.stripe_payment_intent_id)
            if intent.status not in PAYABLE_INTENT_STATES:
                raise
            return checkout_payment_prepare(order=order, intent=intent)
    return checkout_payment_prepare(order=order)

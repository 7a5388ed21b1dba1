"""Reads of the cart, priced from the current plans (never from anything the client sent)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from server.payments.models import Cart, CartItem
from server.plans.models import Plan

MAX_QUANTITY = 10


@dataclass(frozen=True)
class Money:
    amount: int
    currency: str


@dataclass(frozen=True)
class CartLine:
    id: int
    plan: Plan
    quantity: int
    unit_price: Money
    line_total: Money
    available: bool


@dataclass(frozen=True)
class CartSummary:
    """The cart as the app shows it; `checkout_blocked_by` lists error codes checkout would raise."""

    id: int | None
    items: list[CartLine] = field(default_factory=list)
    total: Money = field(default_factory=lambda: Money(0, settings.DEFAULT_CURRENCY))
    item_count: int = 0
    checkout_blocked_by: list[str] = field(default_factory=list)


def cart_summarise(*, cart_id: int | None, items: list[CartItem]) -> CartSummary:
    """Price `items` from their plans as they are now.

    The total counts only plans still on sale, in the cart's currency (that of its
    first item); an inactive plan or a second currency blocks checkout.
    """
    if not items:
        return CartSummary(id=cart_id, checkout_blocked_by=["cart_empty"])
    currency = items[0].plan.currency
    lines: list[CartLine] = []
    total = 0
    count = 0
    blocked: list[str] = []
    for item in items:
        plan = item.plan
        available = plan.is_active
        line_total = plan.price_amount * item.quantity
        lines.append(
            CartLine(
                id=item.pk,
                plan=plan,
                quantity=item.quantity,
                unit_price=Money(plan.price_amount, plan.currency),
                line_total=Money(line_total, plan.currency),
                available=available,
            )
        )
        count += item.quantity
        if not available:
            if "plan_not_active" not in blocked:
                blocked.append("plan_not_active")
            continue
        if plan.currency != currency:
            if "cart_currency_mismatch" not in blocked:
                blocked.append("cart_currency_mismatch")
            continue
        total += line_total
    return CartSummary(
        id=cart_id, items=lines, total=Money(total, currency), item_count=count, checkout_blocked_by=blocked
    )


def cart_summary_for_customer(*, customer) -> CartSummary:
    """The customer's cart (an empty one when they never had a cart); two queries at most."""
    cart_id = Cart.objects.filter(customer=customer).values_list("pk", flat=True).first()
    if cart_id is None:
        return cart_summarise(cart_id=None, items=[])
    items = list(CartItem.objects.select_related("plan").filter(cart_id=cart_id).order_by("id"))
    return cart_summarise(cart_id=cart_id, items=items)

"""Builders for paid orders and their subscriptions, shared by tests/plans/test_subscriptions*.py.

Orders are created as checkout would leave them (lines holding a frozen snapshot of
the plan), then marked paid, so activation is exercised exactly as settlement calls it.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from server.payments.models import Order, OrderLine, OrderStatus
from server.plans.models import Category
from server.plans.services.subscriptions import subscriptions_activate_for_order
from tests import factories


def plan_with_visits(**visits_by_category) -> tuple:
    """A plan entitling `{slug: visits}`; returns (plan, {slug: category})."""
    plan = factories.PlanFactory()
    categories = {}
    for slug, visits in visits_by_category.items():
        category = Category.objects.filter(slug=slug).first() or factories.CategoryFactory(slug=slug, name=slug.title())
        factories.PlanEntitlementFactory(plan=plan, category=category, visits=visits)
        categories[slug] = category
    return plan, categories


def snapshot_line(order: Order, plan, quantity: int = 1) -> OrderLine:
    """An order line frozen from the plan as it is now (what checkout does)."""
    entitlements = [
        {"category_id": e.category_id, "category_slug": e.category.slug, "visits": e.visits}
        for e in plan.entitlements.select_related("category")
    ]
    return OrderLine.objects.create(
        order=order,
        plan=plan,
        plan_name=plan.name,
        plan_slug=plan.slug,
        unit_amount=plan.price_amount,
        quantity=quantity,
        line_total=plan.price_amount * quantity,
        currency=plan.currency,
        validity_days=plan.validity_days,
        entitlements=entitlements,
    )


def pending_order(customer, items: list[tuple]) -> Order:
    """An order awaiting payment for [(plan, quantity), ...]."""
    total = sum(plan.price_amount * quantity for plan, quantity in items)
    order = Order.objects.create(
        customer=customer,
        currency=items[0][0].currency,
        subtotal_amount=total,
        tax_amount=round(total * 1800 / 11800),
        total_amount=total,
        tax_rate_bp=1800,
    )
    for plan, quantity in items:
        snapshot_line(order, plan, quantity)
    return order


def settle_paid(order: Order, *, paid_at: datetime | None = None) -> list:
    """Mark the order paid and activate, as settlement does: one transaction, order locked."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        locked.status = OrderStatus.PAID
        locked.paid_at = paid_at or locked.paid_at or timezone.now()
        locked.save(update_fields=["status", "paid_at"])
        return subscriptions_activate_for_order(order=locked)


def paid_subscription(customer, *, paid_at: datetime | None = None, **visits_by_category):
    """One active subscription of the customer with the given visits; returns it."""
    plan, _ = plan_with_visits(**(visits_by_category or {"plumbing": 4}))
    order = pending_order(customer, [(plan, 1)])
    (subscription,) = settle_paid(order, paid_at=paid_at)
    return subscription

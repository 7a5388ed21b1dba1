"""Reads of the public catalogue: only active categories and plans."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from server.core.errors import NotFound
from server.plans.models import Category, Plan, PlanEntitlement


def category_list_active() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort_order", "name", "id")


def category_get_active(*, slug: str) -> Category:
    """The active category with this slug; NotFound otherwise (inactive looks like missing)."""
    category = category_find_active(slug=slug)
    if category is None:
        raise NotFound("No such category.")
    return category


def category_find_active(*, slug: str) -> Category | None:
    return Category.objects.filter(is_active=True, slug=slug).first()


def _with_entitlements(queryset: QuerySet[Plan]) -> QuerySet[Plan]:
    # Entitlements of inactive categories are kept: the plan still grants those visits.
    entitlements = PlanEntitlement.objects.select_related("category").order_by(
        "category__sort_order", "category__name", "id"
    )
    return queryset.prefetch_related(Prefetch("entitlements", queryset=entitlements))


def plan_list_active(*, category: Category | None = None) -> QuerySet[Plan]:
    """Active plans in display order; with `category`, those with visits in that category."""
    plans = Plan.objects.filter(is_active=True)
    if category is not None:
        # (plan, category) is unique, so the join yields each plan once.
        plans = plans.filter(entitlements__category=category)
    return _with_entitlements(plans.order_by("sort_order", "name", "id"))


MAX_ID = 2**63 - 1  # bigint; a larger id in the URL is simply not found


def plan_get_active(*, plan_id: int) -> Plan:
    if not 0 < plan_id <= MAX_ID:
        raise NotFound("No such plan.")
    plan = _with_entitlements(Plan.objects.filter(is_active=True, pk=plan_id)).first()
    if plan is None:
        raise NotFound("No such plan.")
    return plan

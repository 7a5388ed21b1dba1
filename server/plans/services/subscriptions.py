"""Writes on subscriptions and visit balances.

Contracts used by other apps:
- payments settlement: `subscriptions_activate_for_order` (inside its order lock, once paid);
- payments refunds: `subscriptions_revoke_for_order` (inside its order lock);
- bookings: `visit_consume` when a service request is created, `visit_release` when
  one is cancelled.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from server.core.errors import NotFound
from server.plans.errors import CategoryNotCovered, NoVisitsLeft, SubscriptionNotActive
from server.plans.models import Category, Subscription, SubscriptionBalance, SubscriptionStatus
from server.plans.selectors.subscriptions import subscription_is_usable

logger = logging.getLogger(__name__)

REVOKE_REASON_MAX = 500


def _require_atomic(what: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{what} must run inside the caller's transaction holding the order's row lock")


def _entitled_categories(entitlements: list[dict]) -> dict[int, int]:
    """Map the snapshot's entitlements to {category_id: visits}, resolving by id then slug.

    A category removed between checkout and payment cannot be granted; it is logged
    loudly rather than failing the settlement of money already taken.
    """
    ids = {e.get("category_id") for e in entitlements if e.get("category_id")}
    slugs = {e.get("category_slug") for e in entitlements if e.get("category_slug")}
    by_id = {c.id: c.id for c in Category.objects.filter(pk__in=ids)}
    by_slug = {c.slug: c.id for c in Category.objects.filter(slug__in=slugs)}
    visits: dict[int, int] = {}
    for entry in entitlements:
        category_id = by_id.get(entry.get("category_id")) or by_slug.get(entry.get("category_slug"))
        count = int(entry.get("visits") or 0)
        if category_id is None:
            logger.error("subscription activation: category of entitlement %r no longer exists", entry)
            continue
        if count > 0:
            visits[category_id] = visits.get(category_id, 0) + count
    return visits


def subscriptions_activate_for_order(*, order) -> list[Subscription]:
    """Create one subscription per plan unit bought in a paid order, with its balances.

    Precondition: the caller is inside `transaction.atomic()` holding the order's row lock
    (`select_for_update`) and has marked the order paid (`paid_at` set). Everything comes
    from the order lines' snapshot (validity_days, entitlements), never from the current
    plan. Idempotent: if the order already activated subscriptions, they are returned
    and nothing is created.
    """
    _require_atomic("subscriptions_activate_for_order")
    if order.paid_at is None:
        raise ValueError(f"order {order.pk} has no paid_at; activate only after payment")

    existing = list(Subscription.objects.filter(order=order).order_by("id"))
    if existing:
        return existing

    starts_at = order.paid_at
    planned: list[tuple[Subscription, dict[int, int]]] = []
    for line in order.lines.order_by("id"):
        visits = _entitled_categories(line.entitlements or [])
        for _ in range(line.quantity):
            subscription = Subscription(
                customer_id=order.customer_id,
                plan_id=line.plan_id,
                order=order,
                order_line=line,
                status=SubscriptionStatus.ACTIVE,
                starts_at=starts_at,
                expires_at=starts_at + timedelta(days=line.validity_days),
            )
            planned.append((subscription, visits))

    created = Subscription.objects.bulk_create([s for s, _ in planned])
    SubscriptionBalance.objects.bulk_create(
        [
            SubscriptionBalance(subscription=s, category_id=category_id, visits_total=count, visits_left=count)
            for s, visits in planned
            for category_id, count in visits.items()
        ]
    )
    return created


def _revoke(subscriptions: list[Subscription], *, actor, reason: str, now: datetime) -> list[Subscription]:
    revoked = []
    for subscription in subscriptions:
        if subscription.status != SubscriptionStatus.ACTIVE or subscription.expires_at <= now:
            continue  # already revoked or expired: nothing left to take back
        subscription.status = SubscriptionStatus.REVOKED
        subscription.revoked_at = now
        subscription.revoked_by = actor
        subscription.revoke_reason = reason[:REVOKE_REASON_MAX]
        subscription.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
        revoked.append(subscription)
    return revoked


def subscriptions_revoke_for_order(*, order, actor, reason: str) -> list[Subscription]:
    """Revoke the order's still-active subscriptions, recording who, when and why.

    Precondition: the caller is inside `transaction.atomic()` holding the order's row lock.
    Whether revoking is allowed at all (visits already used) is the refund service's
    decision, via `order_visits_used`. Subscriptions already expired or revoked are left
    as they are. Returns the subscriptions revoked by this call (empty on a repeat).
    """
    _require_atomic("subscriptions_revoke_for_order")
    locked = list(Subscription.objects.select_for_update().filter(order=order).order_by("id"))
    return _revoke(locked, actor=actor, reason=reason, now=timezone.now())


def subscription_revoke(*, subscription_id: int, actor, reason: str) -> Subscription:
    """Revoke one subscription (admin panel action); a no-op if it is not active."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
        if subscription is None:
            raise NotFound("No such subscription.")
        _revoke([subscription], actor=actor, reason=reason, now=timezone.now())
    return subscription


def subscriptions_expire_due(*, now: datetime | None = None) -> int:
    """Mark every active subscription past its expiry as expired, in bulk; returns how many.

    Idempotent: a second run finds nothing to do. Readers do not depend on it (they
    compute the effective status), so running it late is harmless.
    """
    now = now or timezone.now()
    return Subscription.objects.filter(status=SubscriptionStatus.ACTIVE, expires_at__lte=now).update(
        status=SubscriptionStatus.EXPIRED
    )


def visit_consume(*, subscription_id: int, category_slug: str, customer) -> SubscriptionBalance:
    """Take one visit for a category from one of the customer's subscriptions.

    Raises `not_found` when the subscription is not the customer's, `subscription_not_active`
    when it is expired (even if not yet marked) or revoked, `category_not_covered` when it
    has no balance for the category, and `no_visits_left` when that balance is exhausted.
    The decrement is a single conditional UPDATE (`visits_left > 0`), so concurrent
    requests can never take more visits than the balance holds; the subscription row is
    locked (FOR NO KEY UPDATE) so a revoke cannot slip in between the check and the take.
    Joins the caller's transaction when there is one (bookings create the request in it).
    """
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update(no_key=True).filter(pk=subscription_id, customer=customer).first()
        )
        if subscription is None:
            raise NotFound("No such subscription.")
        if not subscription_is_usable(subscription):
            raise SubscriptionNotActive()
        balance = SubscriptionBalance.objects.filter(subscription=subscription, category__slug=category_slug).first()
        if balance is None:
            raise CategoryNotCovered(fields={"category": ["This plan does not include visits for this category."]})
        taken = SubscriptionBalance.objects.filter(pk=balance.pk, visits_left__gt=0).update(
            visits_left=F("visits_left") - 1
        )
        if not taken:
            raise NoVisitsLeft()
        balance.refresh_from_db(fields=["visits_left"])
    return balance


def visit_release(*, balance_id: int) -> SubscriptionBalance:
    """Give one visit back to a balance (a cancelled request); never above its total.

    Releasing onto a full balance is a no-op, so a retried cancel cannot mint visits.
    """
    with transaction.atomic():
        SubscriptionBalance.objects.filter(pk=balance_id, visits_left__lt=F("visits_total")).update(
            visits_left=F("visits_left") + 1
        )
        balance = SubscriptionBalance.objects.filter(pk=balance_id).first()
        if balance is None:
            raise NotFound("No such visit balance.")
    return balance

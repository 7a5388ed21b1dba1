"""Reads of subscriptions and their visit balances.

The stored `status` of a subscription may lag behind the clock: the nightly job
marks lapsed subscriptions `expired`, but until it runs an `active` row whose
`expires_at` has passed is already expired. Every read here uses the effective
status, computed in SQL (`effective_status`) or in Python (`subscription_effective_status`).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, CharField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from server.core.errors import NotFound
from server.plans.models import Subscription, SubscriptionBalance, SubscriptionStatus


def _lapsed(now: datetime) -> Q:
    return Q(status=SubscriptionStatus.ACTIVE, expires_at__lte=now)


def subscription_effective_status(subscription: Subscription, *, now: datetime | None = None) -> str:
    """The status the customer sees: an active subscription past its expiry is expired."""
    now = now or timezone.now()
    if subscription.status == SubscriptionStatus.ACTIVE and subscription.expires_at <= now:
        return SubscriptionStatus.EXPIRED
    return subscription.status


def subscription_is_usable(subscription: Subscription, *, now: datetime | None = None) -> bool:
    """True when visits may be booked under it now (effectively active and started)."""
    now = now or timezone.now()
    return subscription_effective_status(subscription, now=now) == SubscriptionStatus.ACTIVE and (
        subscription.starts_at <= now
    )


def _with_effective_status(qs: QuerySet[Subscription], *, now: datetime) -> QuerySet[Subscription]:
    return qs.annotate(
        effective_status=Case(
            When(_lapsed(now), then=Value(SubscriptionStatus.EXPIRED)),
            default=F("status"),
            output_field=CharField(),
        )
    )


def _for_display(qs: QuerySet[Subscription]) -> QuerySet[Subscription]:
    return qs.select_related("plan").prefetch_related(
        Prefetch("balances", queryset=SubscriptionBalance.objects.select_related("category"))
    )


def subscription_list_for_customer(*, customer, status: str | None = None) -> QuerySet[Subscription]:
    """The customer's own subscriptions, newest first, optionally by effective status.

    Three queries whatever the page size: the page, plans (joined), balances with categories.
    """
    now = timezone.now()
    qs = _with_effective_status(Subscription.objects.filter(customer=customer), now=now)
    if status:
        qs = qs.filter(effective_status=status)
    return _for_display(qs).order_by("-starts_at", "-id")


def subscription_get_for_customer(*, customer, subscription_id: int) -> Subscription:
    """One of the customer's subscriptions; anybody else's is `not_found`, as if absent."""
    now = timezone.now()
    qs = _with_effective_status(Subscription.objects.filter(customer=customer), now=now)
    subscription = _for_display(qs).filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound("No such subscription.")
    return subscription


def subscriptions_for_order(*, order) -> list[Subscription]:
    """All subscriptions an order activated, in creation order."""
    return list(Subscription.objects.filter(order=order).order_by("id"))


def order_visits_used(*, order, for_update: bool = False) -> bool:
    """True when any visit was consumed under any subscription the order activated.

    The refund service uses it to refuse a full refund (`refund_not_allowed`) unless forced.
    For a decision that must still hold when the caller acts on it, pass
    `for_update=True` inside the caller's transaction: the order's subscription rows are
    then locked (in id order), which blocks `visit_consume` on them until commit.
    """
    if for_update:
        list(Subscription.objects.select_for_update().filter(order=order).order_by("id").values_list("id", flat=True))
    used = SubscriptionBalance.objects.filter(subscription__order=order, visits_left__lt=F("visits_total"))
    return used.exists()


def subscriptions_active_covering(*, customer, category_slug: str) -> QuerySet[Subscription]:
    """The customer's effectively active subscriptions with visits left for a category."""
    now = timezone.now()
    balances = SubscriptionBalance.objects.filter(
        subscription=OuterRef("pk"), category__slug=category_slug, visits_left__gt=0
    )
    return (
        Subscription.objects.filter(customer=customer, status=SubscriptionStatus.ACTIVE, expires_at__gt=now)
        .filter(starts_at__lte=now)
        .filter(Exists(balances))
        .order_by("expires_at", "id")
    )

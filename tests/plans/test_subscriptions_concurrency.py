"""Visits and activation under real concurrency, on PostgreSQL with real threads."""

import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction

from server.payments.models import Order
from server.plans.errors import NoVisitsLeft, SubscriptionNotActive
from server.plans.models import Subscription, SubscriptionBalance, SubscriptionStatus
from server.plans.selectors.subscriptions import order_visits_used
from server.plans.services.subscriptions import subscriptions_revoke_for_order, visit_consume, visit_release
from tests import factories
from tests.concurrency import run_concurrently
from tests.plans.subscriptions_support import paid_subscription, pending_order, plan_with_visits, settle_paid

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres")]


def test_concurrent_consumes_on_a_balance_of_k_give_exactly_k_visits():
    customer = factories.CustomerFactory()
    subscription = paid_subscription(customer, plumbing=5)

    outcomes = run_concurrently(
        16, lambda i: visit_consume(subscription_id=subscription.pk, category_slug="plumbing", customer=customer)
    )

    kinds = Counter(type(o).__name__ for o in outcomes)
    assert kinds == {"SubscriptionBalance": 5, "NoVisitsLeft": 11}
    assert all(isinstance(o, (SubscriptionBalance, NoVisitsLeft)) for o in outcomes)
    balance = SubscriptionBalance.objects.get(subscription=subscription)
    assert (balance.visits_total, balance.visits_left) == (5, 0)


def test_concurrent_releases_never_raise_a_balance_above_its_total():
    customer = factories.CustomerFactory()
    subscription = paid_subscription(customer, plumbing=3)
    balance = visit_consume(subscription_id=subscription.pk, category_slug="plumbing", customer=customer)

    run_concurrently(8, lambda i: visit_release(balance_id=balance.pk))

    balance.refresh_from_db()
    assert (balance.visits_total, balance.visits_left) == (3, 3)


def test_concurrent_settlements_of_one_order_activate_it_once():
    customer = factories.CustomerFactory()
    plan, _ = plan_with_visits(plumbing=4)
    order = pending_order(customer, [(plan, 2)])

    outcomes = run_concurrently(6, lambda i: [s.pk for s in settle_paid(order)])

    assert all(isinstance(o, list) for o in outcomes), outcomes
    assert len({tuple(o) for o in outcomes}) == 1
    assert Subscription.objects.filter(order=order).count() == 2
    assert SubscriptionBalance.objects.filter(subscription__order=order).count() == 2


def test_a_consume_racing_a_refund_decision_waits_and_then_sees_the_revoke():
    """The refund service decides under `order_visits_used(for_update=True)`; a booking in
    flight must not take a visit between that decision and the revoke."""
    customer = factories.CustomerFactory()
    admin = factories.AdminFactory()
    subscription = paid_subscription(customer, plumbing=2)
    decided = threading.Event()
    outcomes: dict = {}

    def refund() -> None:
        try:
            with transaction.atomic():
                order = Order.objects.select_for_update().get(pk=subscription.order_id)
                outcomes["used"] = order_visits_used(order=order, for_update=True)
                decided.set()
                time.sleep(0.5)  # the booking arrives now and must wait
                subscriptions_revoke_for_order(order=order, actor=admin, reason="refund")
        finally:
            connection.close()

    def book() -> None:
        try:
            decided.wait(timeout=10)
            outcomes["book"] = visit_consume(
                subscription_id=subscription.pk, category_slug="plumbing", customer=customer
            )
        except Exception as exc:
            outcomes["book"] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=refund), threading.Thread(target=book)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert outcomes["used"] is False
    assert isinstance(outcomes["book"], SubscriptionNotActive)
    assert SubscriptionBalance.objects.get(subscription=subscription).visits_left == 2
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.REVOKED

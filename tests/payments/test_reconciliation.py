"""The reconciliation job: settles orders whose webhook never came, cancels abandoned ones."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from server.celery import app as celery_app
from server.payments.models import Order, OrderStatus
from server.payments.services.reconciliation import order_reconcile, orders_due_for_reconcile
from server.payments.tasks import order_reconcile_task, orders_reconcile_due
from server.plans.models import Subscription
from tests.payments.paying import checkout, pay, plan_with_visits

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres")]


def age(order_id: int, **delta) -> None:
    Order.objects.filter(pk=order_id).update(created_at=timezone.now() - timedelta(**delta))


@pytest.fixture
def eager_celery():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_beat_job_settles_a_paid_order_whose_webhook_never_came(customer_api, stripe_client, eager_celery):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits(visits=5))
    pay(stripe_client, pi_id)
    age(order_id, minutes=6)

    assert orders_reconcile_due.apply().get() == 1

    assert Order.objects.get(pk=order_id).status == OrderStatus.PAID
    subs = customer_api.get("/api/v1/subscriptions/").json()["results"]
    assert [(s["status"], s["balances"][0]["visits_left"]) for s in subs] == [("active", 5)]


def test_recent_pending_orders_are_left_to_the_webhook(customer_api, stripe_client):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    pay(stripe_client, pi_id)

    assert orders_due_for_reconcile() == []
    assert Order.objects.get(pk=order_id).status == OrderStatus.PENDING_PAYMENT


def test_unpaid_order_stays_pending_until_the_cancel_deadline(customer_api, stripe_client):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    age(order_id, hours=2)

    assert order_reconcile(order_id=order_id).status == OrderStatus.PENDING_PAYMENT
    assert stripe_client.v1.payment_intents.retrieve(pi_id).status == "requires_payment_method"


def test_abandoned_order_is_cancelled_with_its_payment_intent(customer_api, stripe_client):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    age(order_id, hours=25)

    status = order_reconcile_task.apply(args=[order_id]).get()

    assert status == OrderStatus.CANCELLED
    assert stripe_client.v1.payment_intents.retrieve(pi_id).status == "canceled"
    assert not Subscription.objects.exists()


def test_old_order_paid_at_the_last_moment_is_paid_not_cancelled(customer_api, stripe_client):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    pay(stripe_client, pi_id)
    age(order_id, hours=25)

    assert order_reconcile(order_id=order_id).status == OrderStatus.PAID
    assert stripe_client.v1.payment_intents.retrieve(pi_id).status == "succeeded"


def test_reconciling_twice_changes_nothing_more(customer_api, stripe_client):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    pay(stripe_client, pi_id)
    age(order_id, minutes=10)

    order_reconcile(order_id=order_id)
    order_reconcile(order_id=order_id)

    assert Subscription.objects.filter(order_id=order_id).count() == 1


def test_old_order_without_an_intent_is_cancelled(customer):
    from tests.payments.factories import OrderFactory

    order = OrderFactory(customer=customer)
    age(order.pk, hours=30)

    assert order_reconcile(order_id=order.pk).status == OrderStatus.CANCELLED

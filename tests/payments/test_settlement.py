"""The whole money path through the API, settled by webhook, by confirm/ and by reconciliation."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from server.payments.models import InvoiceCounter, Order, OrderStatus, Payment, StripeEvent
from server.payments.services.settlement import order_settle
from server.plans.models import Subscription, SubscriptionBalance
from tests.fixtures.api import client_for
from tests.payments.paying import checkout, deliver, pay, pi_event, plan_with_visits, wait_for_status

pytestmark = pytest.mark.usefixtures("postgres")


def _assert_active_with_balances(customer_api, *, count: int, visits: int) -> None:
    response = customer_api.get("/api/v1/subscriptions/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == count
    for sub in results:
        assert sub["status"] == "active"
        assert [(b["visits_total"], b["visits_left"]) for b in sub["balances"]] == [(visits, visits)]


def test_paid_through_localstripe_webhook_activates_subscriptions(
    customer, customer_api, stripe_client, stripe_webhook
):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits(visits=4), quantity=2)

    assert pay(stripe_client, pi_id) == "succeeded"
    order = wait_for_status(order_id, OrderStatus.PAID)  # localstripe delivers the signed event to live_server

    assert order.status == OrderStatus.PAID
    assert order.invoice_number.startswith("HRT-")
    assert StripeEvent.objects.filter(type="payment_intent.succeeded", processed_at__isnull=False).exists()
    _assert_active_with_balances(customer_api, count=2, visits=4)
    receipt = customer_api.get(f"/api/v1/orders/{order_id}/").json()
    assert receipt["status"] == "paid"
    assert receipt["invoice_number"] == order.invoice_number


def test_paid_by_confirm_when_the_webhook_never_arrives(customer_api, stripe_client):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits(visits=3))
    pay(stripe_client, pi_id)

    response = customer_api.post(f"/api/v1/orders/{order_id}/confirm/")

    assert response.status_code == 200
    assert response.json()["status"] == "paid"
    payment = Payment.objects.get(order_id=order_id)
    assert (payment.card_brand, payment.card_last4, payment.amount) == ("visa", "4242", 49900)
    _assert_active_with_balances(customer_api, count=1, visits=3)


def test_confirm_before_paying_leaves_the_order_pending(customer_api):
    order_id, _ = checkout(customer_api, plan=plan_with_visits())

    response = customer_api.post(f"/api/v1/orders/{order_id}/confirm/")

    assert response.json()["status"] == "pending_payment"
    assert not Subscription.objects.exists()


def test_another_customer_cannot_confirm_my_order(customer_api, other_customer_api, stripe_client):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    pay(stripe_client, pi_id)

    response = other_customer_api.post(f"/api/v1/orders/{order_id}/confirm/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Order.objects.get(pk=order_id).status == OrderStatus.PENDING_PAYMENT


def test_declined_card_fails_the_order_and_the_customer_can_check_out_again(customer_api, stripe_client):
    plan = plan_with_visits()
    order_id, pi_id = checkout(customer_api, plan=plan)

    assert pay(stripe_client, pi_id, payment_method="pm_card_chargeCustomerFail") == "requires_payment_method"
    response = customer_api.post(f"/api/v1/orders/{order_id}/confirm/")

    assert response.json()["status"] == "failed"
    assert not Subscription.objects.exists()
    assert not Payment.objects.exists()
    new_order_id, new_pi = checkout(customer_api, plan=plan)
    assert new_order_id != order_id
    pay(stripe_client, new_pi)
    assert customer_api.post(f"/api/v1/orders/{new_order_id}/confirm/").json()["status"] == "paid"


def test_failed_order_becomes_paid_when_stripe_later_says_succeeded(customer_api, stripe_client):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    pay(stripe_client, pi_id, payment_method="pm_card_chargeCustomerFail")
    order_settle(order_id=order_id, source="test")
    assert Order.objects.get(pk=order_id).status == OrderStatus.FAILED

    pay(stripe_client, pi_id)  # the customer retries the same intent with another card
    order_settle(order_id=order_id, source="test")

    order = Order.objects.get(pk=order_id)
    assert order.status == OrderStatus.PAID
    assert Subscription.objects.filter(order=order).count() == 1


def test_succeeded_delivered_20_times_and_concurrently_with_confirm_activates_once(
    customer, customer_api, stripe_client, transactional_db
):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits(visits=2), quantity=3)
    pay(stripe_client, pi_id)
    same_event = pi_event(stripe_client, pi_id, event_type="payment_intent.succeeded")
    other_events = [pi_event(stripe_client, pi_id, event_type="payment_intent.succeeded") for _ in range(9)]
    statuses: list[int] = []
    barrier = threading.Barrier(25)

    def webhook(payload: bytes) -> None:
        try:
            barrier.wait()
            statuses.append(deliver(Client(), payload).status_code)
        finally:
            connection.close()

    def confirm() -> None:
        try:
            api = client_for(customer)
            barrier.wait()
            statuses.append(api.post(f"/api/v1/orders/{order_id}/confirm/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=webhook, args=(same_event,)) for _ in range(11)]
    threads += [threading.Thread(target=webhook, args=(payload,)) for payload in other_events]
    threads += [threading.Thread(target=confirm) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert statuses.count(200) == 25, statuses
    order = Order.objects.get(pk=order_id)
    assert order.status == OrderStatus.PAID
    assert Subscription.objects.filter(order=order).count() == 3
    assert SubscriptionBalance.objects.filter(subscription__order=order).count() == 3
    assert Payment.objects.filter(order=order).count() == 1
    assert InvoiceCounter.objects.get().last_number == 1
    assert StripeEvent.objects.count() == 10


def test_invoice_numbers_are_sequential(customer_api, stripe_client):
    numbers = []
    for _ in range(3):
        order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
        pay(stripe_client, pi_id)
        numbers.append(customer_api.post(f"/api/v1/orders/{order_id}/confirm/").json()["invoice_number"])

    year = numbers[0].split("-")[1]
    assert numbers == [f"HRT-{year}-000001", f"HRT-{year}-000002", f"HRT-{year}-000003"]


def test_refund_event_before_success_event_ends_refunded(customer_api, stripe_client, api):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    pay(stripe_client, pi_id)
    stripe_client.v1.refunds.create(params={"payment_intent": pi_id})  # refunded in Stripe's dashboard
    refunded = pi_event(stripe_client, pi_id, event_type="charge.refunded")
    succeeded = pi_event(stripe_client, pi_id, event_type="payment_intent.succeeded")

    assert deliver(api, refunded).status_code == 200
    assert deliver(api, succeeded).status_code == 200

    order = Order.objects.get(pk=order_id)
    assert order.status == OrderStatus.REFUNDED
    assert order.amount_refunded == order.total_amount
    assert order.refunds.count() == 1
    assert [s.status for s in Subscription.objects.filter(order=order)] == ["revoked"]


def test_failed_event_after_succeeded_keeps_the_order_paid(customer_api, stripe_client, api):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    pay(stripe_client, pi_id)
    succeeded = pi_event(stripe_client, pi_id, event_type="payment_intent.succeeded")
    failed = pi_event(stripe_client, pi_id, event_type="payment_intent.payment_failed")

    deliver(api, succeeded)
    deliver(api, failed)

    assert Order.objects.get(pk=order_id).status == OrderStatus.PAID
    assert Subscription.objects.filter(order_id=order_id, status="active").count() == 1


def test_cancelled_intent_cancels_the_pending_order(customer_api, stripe_client, api):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    stripe_client.v1.payment_intents.cancel(pi_id)

    deliver(api, pi_event(stripe_client, pi_id, event_type="payment_intent.canceled"))

    assert Order.objects.get(pk=order_id).status == OrderStatus.CANCELLED
    assert not Subscription.objects.exists()


def test_settle_refuses_an_intent_whose_amount_differs_from_the_order(customer_api, stripe_client):
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    stripe_client.v1.payment_intents.update(pi_id, params={"amount": 100})
    pay(stripe_client, pi_id)

    order_settle(order_id=order_id, source="test")

    assert Order.objects.get(pk=order_id).status == OrderStatus.PENDING_PAYMENT
    assert not Subscription.objects.exists()


def test_confirm_answers_502_when_stripe_is_unreachable(customer_api, settings):
    order_id, _ = checkout(customer_api, plan=plan_with_visits())
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    response = customer_api.post(f"/api/v1/orders/{order_id}/confirm/")

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "payment_provider_error"
    assert Order.objects.get(pk=order_id).status == OrderStatus.PENDING_PAYMENT


def test_anonymous_client_is_not_authenticated_for_confirm(customer_api):
    order_id, _ = checkout(customer_api, plan=plan_with_visits())
    assert APIClient().post(f"/api/v1/orders/{order_id}/confirm/").status_code == 401


def test_orders_paid_concurrently_get_unique_gap_free_invoice_numbers(customer_api, stripe_client, transactional_db):
    order_ids = []
    for _ in range(8):
        order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
        pay(stripe_client, pi_id)
        order_ids.append(order_id)
    barrier = threading.Barrier(len(order_ids))

    def settle(order_id: int) -> None:
        try:
            barrier.wait()
            order_settle(order_id=order_id, source="test")
        finally:
            connection.close()

    threads = [threading.Thread(target=settle, args=(oid,)) for oid in order_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    numbers = sorted(Order.objects.filter(pk__in=order_ids).values_list("invoice_number", flat=True))
    year = numbers[0].split("-")[1]
    assert numbers == [f"HRT-{year}-{n:06d}" for n in range(1, 9)]

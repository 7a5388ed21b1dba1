"""Orders API: own orders only, receipt once paid, confirm/ settles from Stripe's state."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from server.payments.models import Cart, Order, OrderStatus, Payment
from tests.factories import PlanFactory
from tests.payments.factories import CartItemFactory, OrderFactory, OrderLineFactory

ORDERS = "/api/v1/orders/"

pytestmark = pytest.mark.django_db


def detail(order_id: int) -> str:
    return f"{ORDERS}{order_id}/"


def paid_order(customer, **kwargs) -> Order:
    order = OrderFactory(
        customer=customer,
        status=OrderStatus.PAID,
        paid_at=timezone.now(),
        invoice_number=f"HRT-2026-{Order.objects.count() + 1:06d}",
        stripe_payment_intent_id=f"pi_test_{Order.objects.count() + 1}",
        **kwargs,
    )
    Payment.objects.create(
        order=order,
        stripe_payment_intent_id=order.stripe_payment_intent_id,
        amount=order.total_amount,
        currency=order.currency,
        card_brand="visa",
        card_last4="4242",
    )
    return order


def test_pending_order_detail_has_money_lines_and_no_receipt(customer, customer_api):
    order = OrderFactory(customer=customer)
    line = order.lines.get()

    response = customer_api.get(detail(order.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == order.pk
    assert body["status"] == "pending_payment"
    assert body["subtotal"] == body["total"] == {"amount": 49900, "currency": "INR"}
    assert body["tax"] == {"amount": 7612, "currency": "INR"}
    assert body["tax_rate_bp"] == 1800
    assert body["amount_refunded"] == {"amount": 0, "currency": "INR"}
    assert body["invoice_number"] is None
    assert body["paid_at"] is None
    assert body["created_at"]
    assert body["receipt"] is None
    assert body["lines"] == [
        {
            "id": line.pk,
            "plan": line.plan_id,
            "plan_name": line.plan_name,
            "plan_slug": line.plan_slug,
            "quantity": 1,
            "unit_price": {"amount": line.unit_amount, "currency": "INR"},
            "line_total": {"amount": line.line_total, "currency": "INR"},
            "validity_days": line.validity_days,
        }
    ]


def test_paid_order_has_a_receipt_with_the_card(customer, customer_api):
    order = paid_order(customer)

    body = customer_api.get(detail(order.pk)).json()

    receipt = body["receipt"]
    assert receipt["invoice_number"] == order.invoice_number == body["invoice_number"]
    assert receipt["total"] == {"amount": 49900, "currency": "INR"}
    assert receipt["tax"] == {"amount": 7612, "currency": "INR"}
    assert receipt["paid_at"] == body["paid_at"]
    assert receipt["payment_method"] == {"brand": "visa", "last4": "4242"}
    assert receipt["lines"] == body["lines"]


def test_receipt_payment_method_is_null_when_stripe_gave_no_card(customer, customer_api):
    order = paid_order(customer)
    Payment.objects.update(card_brand="", card_last4="")

    assert customer_api.get(detail(order.pk)).json()["receipt"]["payment_method"] is None


def test_another_customers_order_is_not_found(customer_api, other_customer):
    theirs = paid_order(other_customer)

    for response in (customer_api.get(detail(theirs.pk)), customer_api.post(f"{detail(theirs.pk)}confirm/")):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert customer_api.get(detail(999999)).status_code == 404


def test_list_shows_only_my_orders_newest_first(customer, customer_api, other_customer):
    older = OrderFactory(customer=customer)
    Order.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=1))
    newer = paid_order(customer)
    OrderFactory(customer=other_customer)

    response = customer_api.get(ORDERS)

    assert response.status_code == 200
    body = response.json()
    assert [o["id"] for o in body["results"]] == [newer.pk, older.pk]
    assert body["next"] is None and body["previous"] is None
    assert body["results"][0]["receipt"]["payment_method"] == {"brand": "visa", "last4": "4242"}


def test_list_is_paginated(customer, customer_api):
    for _ in range(3):
        OrderFactory(customer=customer)

    body = customer_api.get(ORDERS, {"page_size": 2}).json()

    assert len(body["results"]) == 2
    assert body["next"] is not None
    assert len(customer_api.get(body["next"]).json()["results"]) == 1


def test_list_query_count_stays_flat(customer, customer_api, django_assert_num_queries):
    paid_order(customer)
    OrderFactory(customer=customer)
    with CaptureQueriesContext(connection) as few:
        customer_api.get(ORDERS)
    for _ in range(5):
        order = paid_order(customer)
        OrderLineFactory(order=order)
        OrderFactory(customer=customer)

    with django_assert_num_queries(len(few.captured_queries)):
        response = customer_api.get(ORDERS)

    assert len(response.json()["results"]) == 12


@pytest.mark.parametrize("client_fixture", ["professional_api", "admin_api", "support_api"])
def test_other_roles_may_not_use_orders(request, client_fixture, customer):
    order = OrderFactory(customer=customer)
    client = request.getfixturevalue(client_fixture)

    responses = [client.get(ORDERS), client.get(detail(order.pk)), client.post(f"{detail(order.pk)}confirm/")]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert {r.json()["error"]["code"] for r in responses} == {"permission_denied"}
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_anonymous_caller_must_authenticate(api):
    assert api.get(ORDERS).status_code == 401


def test_confirm_after_paying_on_stripe_settles_the_order_once(customer, customer_api, stripe_client):
    CartItemFactory(cart=Cart.objects.create(customer=customer), plan=PlanFactory(price_amount=49900), quantity=1)
    checkout = customer_api.post("/api/v1/checkout/").json()
    order_id = checkout["order"]["id"]
    pi = checkout["payment"]["payment_intent"]

    before = customer_api.post(f"{detail(order_id)}confirm/")
    assert before.status_code == 200
    assert before.json()["status"] == "pending_payment"

    # What PaymentSheet does on the phone.
    stripe_client.v1.payment_intents.update(pi, params={"payment_method": "pm_card_visa"})
    stripe_client.v1.payment_intents.confirm(pi)

    first = customer_api.post(f"{detail(order_id)}confirm/")
    second = customer_api.post(f"{detail(order_id)}confirm/")

    assert first.status_code == second.status_code == 200
    body = first.json()
    assert body["status"] == "paid"
    assert body["invoice_number"]
    assert body["receipt"]["payment_method"]["last4"] == "4242"
    assert second.json()["invoice_number"] == body["invoice_number"]
    assert Payment.objects.filter(order_id=order_id).count() == 1


def test_confirm_of_an_order_without_intent_leaves_it_pending(customer, customer_api):
    order = OrderFactory(customer=customer)

    response = customer_api.post(f"{detail(order.pk)}confirm/")

    assert response.status_code == 200
    assert response.json()["status"] == "pending_payment"

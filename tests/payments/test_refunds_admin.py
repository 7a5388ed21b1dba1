"""The Django admin panel for orders: search, money display, and the refund form."""

from __future__ import annotations

import pytest

from server.payments.models import Order, OrderStatus, Refund, StripeEvent
from server.plans.models import Subscription
from tests.payments.paying import checkout, pay, plan_with_visits

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres")]


@pytest.fixture
def paid_order(customer_api, stripe_client) -> Order:
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    pay(stripe_client, pi_id)
    customer_api.post(f"/api/v1/orders/{order_id}/confirm/")
    return Order.objects.get(pk=order_id)


@pytest.fixture
def panel(client, admin_user):
    client.force_login(admin_user)
    return client


def test_orders_are_searchable_by_customer_email_and_stripe_ids(panel, paid_order, other_customer):
    for q in (paid_order.customer.email, paid_order.stripe_payment_intent_id, paid_order.invoice_number):
        response = panel.get("/admin/payments/order/", {"q": q})
        assert response.status_code == 200
        assert response.context["cl"].result_count == 1, q
    assert panel.get("/admin/payments/order/", {"status__exact": "paid"}).context["cl"].result_count == 1
    assert panel.get("/admin/payments/order/", {"status__exact": "failed"}).context["cl"].result_count == 0


def test_order_page_shows_money_lines_payment_and_a_refund_button(panel, paid_order):
    response = panel.get(f"/admin/payments/order/{paid_order.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "INR 499.00" in html
    assert paid_order.lines.get().plan_name in html
    assert "4242" in html
    assert f"/admin/payments/order/{paid_order.pk}/refund/" in html


def test_refund_form_refunds_through_the_same_service(panel, admin_user, paid_order):
    response = panel.post(f"/admin/payments/order/{paid_order.pk}/refund/", {"reason": "Phone complaint"})

    assert response.status_code == 302
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.REFUNDED
    refund = Refund.objects.get(order=paid_order)
    assert (refund.requested_by, refund.reason) == (admin_user, "Phone complaint")
    assert Subscription.objects.get(order=paid_order).status == "revoked"


def test_refund_form_shows_the_refusal_and_changes_nothing(panel, customer_api):
    order_id, _ = checkout(customer_api, plan=plan_with_visits())

    response = panel.post(f"/admin/payments/order/{order_id}/refund/", {"reason": "x"})

    assert response.status_code == 200
    assert "Only a paid order can be refunded." in response.content.decode()
    assert not Refund.objects.exists()


def test_support_staff_cannot_use_the_refund_form(client, support_user, paid_order):
    client.force_login(support_user)

    response = client.post(f"/admin/payments/order/{paid_order.pk}/refund/", {"reason": "x"})

    assert response.status_code in (302, 403)
    assert not Refund.objects.exists()
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID


def test_stripe_events_are_read_only(panel):
    event = StripeEvent.objects.create(event_id="evt_1", type="payment_intent.succeeded", payload={"id": "evt_1"})

    assert panel.get("/admin/payments/stripeevent/").status_code == 200
    assert panel.get(f"/admin/payments/stripeevent/{event.pk}/change/").status_code == 200
    panel.post(f"/admin/payments/stripeevent/{event.pk}/change/", {"type": "forged"})
    event.refresh_from_db()
    assert event.type == "payment_intent.succeeded"

"""POST admin/orders/{id}/refund/: who may refund, full/partial, visits used, force, idempotency."""

from __future__ import annotations

import pytest

from server.payments import gateway
from server.payments.models import Order, OrderStatus, Refund
from server.plans.models import Subscription
from server.plans.services.subscriptions import visit_consume
from tests.payments.paying import checkout, pay, plan_with_visits

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres")]


def url(order_id: int) -> str:
    return f"/api/v1/admin/orders/{order_id}/refund/"


@pytest.fixture
def paid_order(customer_api, stripe_client) -> Order:
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits(visits=4))
    pay(stripe_client, pi_id)
    assert customer_api.post(f"/api/v1/orders/{order_id}/confirm/").json()["status"] == "paid"
    return Order.objects.get(pk=order_id)


def stripe_refunded(stripe_client, order: Order) -> int:
    pi = stripe_client.v1.payment_intents.retrieve(order.stripe_payment_intent_id, params={"expand": ["latest_charge"]})
    return pi.latest_charge.amount_refunded


def use_a_visit(order: Order) -> None:
    sub = Subscription.objects.get(order=order)
    visit_consume(subscription_id=sub.pk, category_slug=sub.balances.get().category.slug, customer=order.customer)


def test_full_refund_revokes_unused_subscriptions(admin_api, admin_user, paid_order, stripe_client):
    response = admin_api.post(url(paid_order.pk), {"reason": "Changed mind"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == paid_order.total_amount
    assert body["order_status"] == "refunded"
    assert body["forced"] is False
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.amount_refunded) == (OrderStatus.REFUNDED, paid_order.total_amount)
    refund = Refund.objects.get(order=paid_order)
    assert (refund.requested_by, refund.reason) == (admin_user, "Changed mind")
    sub = Subscription.objects.get(order=paid_order)
    assert (sub.status, sub.revoked_by, sub.revoke_reason) == ("revoked", admin_user, "Changed mind")
    assert stripe_refunded(stripe_client, paid_order) == paid_order.total_amount


def test_partial_refunds_then_the_rest(admin_api, paid_order, stripe_client):
    first = admin_api.post(url(paid_order.pk), {"amount": 10000, "reason": "Late visit"}, format="json")

    assert first.status_code == 201
    assert first.json()["order_status"] == "partially_refunded"
    assert Subscription.objects.get(order=paid_order).status == "active"

    rest = admin_api.post(url(paid_order.pk), {"reason": "Closing account"}, format="json")

    assert rest.json()["amount"] == paid_order.total_amount - 10000
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.REFUNDED
    assert Subscription.objects.get(order=paid_order).status == "revoked"
    assert stripe_refunded(stripe_client, paid_order) == paid_order.total_amount


def test_refund_over_the_refundable_amount_is_a_validation_error(admin_api, paid_order, stripe_client):
    response = admin_api.post(url(paid_order.pk), {"amount": paid_order.total_amount + 1, "reason": "x"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "amount" in response.json()["error"]["fields"]
    assert not Refund.objects.exists()
    assert stripe_refunded(stripe_client, paid_order) == 0


def test_full_refund_with_visits_used_is_refused(admin_api, paid_order, stripe_client):
    use_a_visit(paid_order)

    response = admin_api.post(url(paid_order.pk), {"reason": "Unhappy"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "refund_not_allowed"
    paid_order.refresh_from_db()
    assert (paid_order.status, paid_order.amount_refunded) == (OrderStatus.PAID, 0)
    assert not Refund.objects.exists()
    assert Subscription.objects.get(order=paid_order).status == "active"
    assert stripe_refunded(stripe_client, paid_order) == 0


def test_forced_full_refund_with_visits_used_revokes_and_is_recorded(admin_api, paid_order):
    use_a_visit(paid_order)

    response = admin_api.post(url(paid_order.pk), {"reason": "Goodwill", "force": True}, format="json")

    assert response.status_code == 201
    assert response.json()["forced"] is True
    assert Refund.objects.get().forced is True
    assert Subscription.objects.get(order=paid_order).status == "revoked"


def test_partial_refund_with_visits_used_is_allowed_and_keeps_the_plan(admin_api, paid_order):
    use_a_visit(paid_order)

    response = admin_api.post(url(paid_order.pk), {"amount": 5000, "reason": "Late"}, format="json")

    assert response.status_code == 201
    assert Subscription.objects.get(order=paid_order).status == "active"


def test_unpaid_order_cannot_be_refunded(admin_api, customer_api):
    order_id, _ = checkout(customer_api, plan=plan_with_visits())

    response = admin_api.post(url(order_id), {"reason": "x"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "refund_not_allowed"
    assert not Refund.objects.exists()


def test_fully_refunded_order_cannot_be_refunded_again(admin_api, paid_order):
    admin_api.post(url(paid_order.pk), {"reason": "x"}, format="json")

    response = admin_api.post(url(paid_order.pk), {"reason": "again"}, format="json")

    assert response.status_code == 409
    assert Refund.objects.count() == 1


@pytest.mark.parametrize("who", ["customer_api", "support_api", "professional_api"])
def test_only_admins_may_refund(request, who, paid_order, stripe_client):
    response = request.getfixturevalue(who).post(url(paid_order.pk), {"reason": "mine"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID
    assert not Refund.objects.exists()
    assert stripe_refunded(stripe_client, paid_order) == 0


def test_anonymous_refund_is_unauthenticated(api, paid_order):
    assert api.post(url(paid_order.pk), {"reason": "x"}, format="json").status_code == 401


def test_refund_of_a_missing_order_is_not_found(admin_api):
    response = admin_api.post(url(999999), {"reason": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_reason_is_required_and_capped(admin_api, paid_order):
    missing = admin_api.post(url(paid_order.pk), {}, format="json")
    too_long = admin_api.post(url(paid_order.pk), {"reason": "x" * 501}, format="json")

    assert missing.status_code == too_long.status_code == 400
    assert "reason" in missing.json()["error"]["fields"]
    assert not Refund.objects.exists()


def test_retry_after_a_crash_reuses_stripes_first_refund(admin_api, paid_order, stripe_client):
    # A first attempt reached Stripe but crashed before recording anything here.
    lost = gateway.refund_create(
        pi_id=paid_order.stripe_payment_intent_id,
        amount=paid_order.total_amount,
        idempotency_key=f"order-{paid_order.pk}-refund-1-{paid_order.total_amount}",
    )

    response = admin_api.post(url(paid_order.pk), {"reason": "retry"}, format="json")

    assert response.status_code == 201
    assert response.json()["stripe_refund_id"] == lost.id
    assert stripe_refunded(stripe_client, paid_order) == paid_order.total_amount  # refunded once, not twice


def test_refund_answers_502_and_changes_nothing_when_stripe_is_down(admin_api, paid_order, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    response = admin_api.post(url(paid_order.pk), {"reason": "x"}, format="json")

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "payment_provider_error"
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID
    assert not Refund.objects.exists()


def test_concurrent_full_refunds_refund_once(admin_user, paid_order, stripe_client, transactional_db):
    import threading

    from django.db import connection

    from tests.fixtures.api import client_for

    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def refund() -> None:
        try:
            api = client_for(admin_user)
            barrier.wait()
            statuses.append(api.post(url(paid_order.pk), {"reason": "double click"}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=refund) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert sorted(statuses) == [201, 409, 409, 409]
    assert Refund.objects.count() == 1
    assert stripe_refunded(stripe_client, paid_order) == paid_order.total_amount

"""POST payments/stripe/webhook/: signatures, replays, unknown events."""

from __future__ import annotations

import time

import pytest

from server.payments.models import Order, OrderStatus, StripeEvent
from server.plans.models import Subscription
from tests.fixtures.stripe import sign_stripe_payload, stripe_event_payload
from tests.payments.paying import WEBHOOK_URL, checkout, deliver, event_id_of, pay, pi_event, plan_with_visits

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres")]


@pytest.fixture
def paid_on_stripe(customer_api, stripe_client):
    """An order the customer paid at Stripe, not yet settled here, and its succeeded event."""
    order_id, pi_id = checkout(customer_api, plan=plan_with_visits())
    pay(stripe_client, pi_id)
    return order_id, pi_event(stripe_client, pi_id, event_type="payment_intent.succeeded")


def _assert_nothing_changed(order_id: int) -> None:
    assert Order.objects.get(pk=order_id).status == OrderStatus.PENDING_PAYMENT
    assert not StripeEvent.objects.exists()
    assert not Subscription.objects.exists()


def test_signed_event_settles_the_order(api, paid_on_stripe):
    order_id, payload = paid_on_stripe

    response = deliver(api, payload)

    assert response.status_code == 200
    assert response.json() == {"received": True}
    assert Order.objects.get(pk=order_id).status == OrderStatus.PAID
    assert StripeEvent.objects.get().processed_at is not None


def test_forged_signature_is_rejected_and_changes_nothing(api, paid_on_stripe):
    order_id, payload = paid_on_stripe

    response = deliver(api, payload, signature=sign_stripe_payload(payload, secret="whsec_not_ours"))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    _assert_nothing_changed(order_id)


def test_tampered_body_is_rejected(api, paid_on_stripe):
    order_id, payload = paid_on_stripe
    signature = sign_stripe_payload(payload)

    response = deliver(api, payload.replace(b'"livemode": false', b'"livemode": true'), signature=signature)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    _assert_nothing_changed(order_id)


def test_stale_signature_is_rejected(api, paid_on_stripe):
    order_id, payload = paid_on_stripe

    response = deliver(api, payload, signature=sign_stripe_payload(payload, timestamp=int(time.time()) - 301))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    _assert_nothing_changed(order_id)


def test_missing_signature_is_rejected(api, paid_on_stripe):
    order_id, payload = paid_on_stripe

    response = api.post(WEBHOOK_URL, data=payload, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    _assert_nothing_changed(order_id)


def test_replayed_event_is_acknowledged_and_ignored(api, paid_on_stripe):
    order_id, payload = paid_on_stripe
    deliver(api, payload)
    invoice = Order.objects.get(pk=order_id).invoice_number

    response = deliver(api, payload)

    assert response.status_code == 200
    assert StripeEvent.objects.filter(event_id=event_id_of(payload)).count() == 1
    assert Order.objects.get(pk=order_id).invoice_number == invoice
    assert Subscription.objects.filter(order_id=order_id).count() == 1


def test_unknown_event_type_is_acknowledged_and_ignored(api):
    payload = stripe_event_payload(event_type="customer.created", obj={"id": "cus_123", "object": "customer"})

    response = deliver(api, payload)

    assert response.status_code == 200
    assert StripeEvent.objects.get().type == "customer.created"


def test_event_for_an_unknown_intent_is_acknowledged(api):
    payload = stripe_event_payload(
        event_type="payment_intent.succeeded",
        obj={"id": "pi_unknown", "object": "payment_intent", "metadata": {"order_id": "999999"}},
    )

    assert deliver(api, payload).status_code == 200
    assert not Order.objects.exists()


def test_signed_body_that_is_not_an_event_is_a_validation_error(api):
    payload = b'{"hello": "world"}'

    response = deliver(api, payload)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert not StripeEvent.objects.exists()


def test_webhook_needs_no_authentication_but_only_accepts_post(api):
    assert api.get(WEBHOOK_URL).status_code == 405

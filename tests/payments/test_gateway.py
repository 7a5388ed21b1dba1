"""The gateway against a real local Stripe: customers, intents, keys, refunds, error mapping."""

import pytest

from server.payments import gateway
from server.payments.models import Order, StripeCustomer


@pytest.fixture
def order(customer):
    return Order.objects.create(
        customer=customer, currency="INR", subtotal_amount=11800, tax_amount=1800, total_amount=11800, tax_rate_bp=1800
    )


def test_customer_is_created_once_and_remembered(customer):
    first = gateway.customer_get_or_create(user=customer)
    second = gateway.customer_get_or_create(user=customer)

    assert first.startswith("cus_")
    assert first == second
    assert StripeCustomer.objects.filter(user=customer).count() == 1


def test_payment_intent_carries_amount_currency_customer_and_order_id(order):
    pi = gateway.payment_intent_create(order=order)

    assert pi.amount == 11800
    assert pi.currency == "inr"
    assert pi.customer == StripeCustomer.objects.get(user=order.customer).customer_id
    assert pi.metadata["order_id"] == str(order.pk)
    assert pi.status == "requires_payment_method"


def test_payment_intent_create_is_idempotent_per_order(order):
    assert gateway.payment_intent_create(order=order).id == gateway.payment_intent_create(order=order).id


def test_ephemeral_key_is_a_secret(customer):
    secret = gateway.ephemeral_key_create(customer_id=gateway.customer_get_or_create(user=customer))
    assert secret.startswith("ek_test_")


def test_paid_intent_shows_card_and_can_be_refunded_once_per_key(order, stripe_client):
    pi = gateway.payment_intent_create(order=order)
    stripe_client.v1.payment_intents.update(pi.id, params={"payment_method": "pm_card_visa"})
    stripe_client.v1.payment_intents.confirm(pi.id)

    seen = gateway.payment_intent_retrieve(pi_id=pi.id)
    assert seen.status == "succeeded"
    assert seen.latest_charge.payment_method_details.card.last4 == "4242"

    r1 = gateway.refund_create(pi_id=pi.id, amount=1000, idempotency_key="k1")
    r2 = gateway.refund_create(pi_id=pi.id, amount=1000, idempotency_key="k1")
    assert r1.id == r2.id
    assert len(gateway.charge_refunds_list(charge_id=seen.latest_charge.id)) == 1


def test_cancel_moves_intent_to_canceled_and_is_repeatable(order):
    pi = gateway.payment_intent_create(order=order)
    assert gateway.payment_intent_cancel(pi_id=pi.id).status == "canceled"
    assert gateway.payment_intent_cancel(pi_id=pi.id).status == "canceled"


def test_stripe_failure_becomes_payment_provider_error(db):
    with pytest.raises(gateway.PaymentProviderError) as exc:
        gateway.payment_intent_retrieve(pi_id="pi_doesnotexist")
    assert exc.value.status == 502
    assert exc.value.code == "payment_provider_error"

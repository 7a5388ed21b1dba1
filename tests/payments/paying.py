"""Helpers that act as the phone does: fill the cart, check out, pay on localstripe."""

from __future__ import annotations

import contextlib
import json
import time

import stripe

from server.payments.models import Order
from tests.factories import CategoryFactory, PlanEntitlementFactory, PlanFactory
from tests.fixtures.stripe import sign_stripe_payload

WEBHOOK_URL = "/api/v1/payments/stripe/webhook/"


def plan_with_visits(*, visits: int = 4, price: int = 49900):
    plan = PlanFactory(price_amount=price)
    PlanEntitlementFactory(plan=plan, category=CategoryFactory(), visits=visits)
    return plan


def checkout(api, *, plan, quantity: int = 1) -> tuple[int, str]:
    """cart → checkout through the API; returns (order id, PaymentIntent id)."""
    added = api.post("/api/v1/cart/items/", {"plan": plan.pk, "quantity": quantity}, format="json")
    assert added.status_code == 201, added.content
    response = api.post("/api/v1/checkout/")
    assert response.status_code == 201, response.content
    body = response.json()
    return body["order"]["id"], body["payment"]["payment_intent"]


def pay(stripe_client, pi_id: str, *, payment_method: str = "pm_card_visa") -> str:
    """What PaymentSheet does: attach the card, confirm; returns the intent's status."""
    stripe_client.v1.payment_intents.update(pi_id, params={"payment_method": payment_method})
    with contextlib.suppress(stripe.CardError):  # declined: the intent stays requires_payment_method
        stripe_client.v1.payment_intents.confirm(pi_id)
    return stripe_client.v1.payment_intents.retrieve(pi_id).status


def pi_event(stripe_client, pi_id: str, *, event_type: str, event_id: str | None = None) -> bytes:
    """A Stripe event body carrying the intent as Stripe shows it now."""
    from tests.fixtures.stripe import stripe_event_payload

    obj = stripe_client.v1.payment_intents.retrieve(pi_id).to_dict()
    if event_type.startswith("charge."):
        charge = obj["latest_charge"]
        obj = charge if isinstance(charge, dict) else {"id": charge, "object": "charge", "payment_intent": pi_id}
    return stripe_event_payload(event_type=event_type, obj=obj, event_id=event_id)


def deliver(client, payload: bytes, *, signature: str | None = None):
    """POST an event to our webhook with a valid signature (unless one is given)."""
    header = sign_stripe_payload(payload) if signature is None else signature
    return client.post(WEBHOOK_URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def wait_for_status(order_id: int, status: str, *, timeout: float = 15.0) -> Order:
    deadline = time.monotonic() + timeout
    while True:
        order = Order.objects.get(pk=order_id)
        if order.status == status or time.monotonic() > deadline:
            return order
        time.sleep(0.2)


def event_id_of(payload: bytes) -> str:
    return json.loads(payload)["id"]

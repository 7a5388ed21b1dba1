"""The ONE place Hearth talks to Stripe.

Settings read here and nowhere else: STRIPE_SECRET_KEY, STRIPE_API_BASE (points at
localstripe in tests/dev), STRIPE_PUBLISHABLE_KEY. Every Stripe failure leaves this
module as `PaymentProviderError` (502 `payment_provider_error`), never a 500, except a
declined card on an API call, which is `PaymentDeclined` (402 `payment_declined`).

Functions return the stripe library's objects (stripe 16: attribute access, or
`.to_dict()`); they never write to the database except the StripeCustomer mapping.
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction

from server.core.errors import ValidationFailed
from server.payments.errors import InvalidSignature, PaymentDeclined, PaymentProviderError

if TYPE_CHECKING:
    from server.payments.models import Order

logger = logging.getLogger("hearth.payments.gateway")


__all__ = [
    "PaymentDeclined",
    "PaymentProviderError",
    "charge_refunds_list",
    "client",
    "customer_get_or_create",
    "ephemeral_key_create",
    "payment_intent_cancel",
    "payment_intent_create",
    "payment_intent_retrieve",
    "publishable_key",
    "refund_create",
]


@lru_cache(maxsize=8)
def _client_for(api_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(api_key, base_addresses={"api": api_base}, max_network_retries=2)


WEBHOOK_TOLERANCE_SECONDS = 300


def webhook_event_verify(*, payload: bytes, signature: str | None) -> dict:
    """A Stripe webhook event, once its signature over the exact bytes checks out.

    Raises InvalidSignature (missing, forged or older than WEBHOOK_TOLERANCE_SECONDS) and
    ValidationFailed (not a JSON event with an id and a type).
    """
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8", errors="replace"),
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=WEBHOOK_TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError:
        raise InvalidSignature()
    try:
        event = json.loads(payload)
    except ValueError:
        raise ValidationFailed("The event body is not JSON.")
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise ValidationFailed("The event has no id or type.")
    return event


def client() -> stripe.StripeClient:
    """A StripeClient for the configured key and API base (cached per key/base)."""
    return _client_for(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


def publishable_key() -> str:
    return settings.STRIPE_PUBLISHABLE_KEY


@contextmanager
def stripe_errors():
    """Map stripe library errors to Hearth's ApplicationErrors (never a 500)."""
    try:
        yield
    except stripe.CardError as exc:
        logger.info("stripe card error: %s", exc.user_message or exc)
        raise PaymentDeclined(exc.user_message or PaymentDeclined.message) from exc
    except stripe.StripeError as exc:
        logger.warning("stripe error %s: %s", type(exc).__name__, exc)
        raise PaymentProviderError() from exc


def customer_get_or_create(*, user) -> str:
    """The Stripe Customer id of `user`, creating (and remembering) it on first use.

    Race-safe: two concurrent calls create at most one StripeCustomer row; Stripe's
    idempotency key (per user) makes them share one Stripe customer too.
    """
    from server.payments.models import StripeCustomer

    existing = StripeCustomer.objects.filter(user=user).values_list("customer_id", flat=True).first()
    if existing:
        return existing
    with stripe_errors():
        customer = client().v1.customers.create(
            params={
                "email": user.email or None,
                "metadata": {"user_id": str(user.pk)},
            },
            options={"idempotency_key": f"user-{user.pk}-customer"},
        )
    try:
        with transaction.atomic():
            StripeCustomer.objects.create(user=user, customer_id=customer.id)
    except IntegrityError:
        return StripeCustomer.objects.values_list("customer_id", flat=True).get(user=user)
    return customer.id


def payment_intent_create(*, order: Order, customer_id: str | None = None) -> stripe.PaymentIntent:
    """Create the PaymentIntent for `order` (amount = order.total_amount, minor units).

    Idempotent per order (key `order-<id>-pi`): a retry returns the same intent.
    `customer_id` defaults to customer_get_or_create(user=order.customer).
    """
    customer_id = customer_id or customer_get_or_create(user=order.customer)
    with stripe_errors():
        return client().v1.payment_intents.create(
            params={
                "amount": order.total_amount,
                "currency": order.currency.lower(),
                "customer": customer_id,
                "automatic_payment_methods": {"enabled": True},
                "metadata": {"order_id": str(order.pk)},
            },
            options={"idempotency_key": f"order-{order.pk}-pi"},
        )


def payment_intent_retrieve(*, pi_id: str) -> stripe.PaymentIntent:
    """The PaymentIntent as Stripe sees it now, with latest_charge expanded."""
    with stripe_errors():
        return client().v1.payment_intents.retrieve(pi_id, params={"expand": ["latest_charge"]})


def payment_intent_cancel(*, pi_id: str) -> stripe.PaymentIntent:
    """Cancel a PaymentIntent at Stripe; returns it (also when it was already cancelled)."""
    with stripe_errors():
        current = client().v1.payment_intents.retrieve(pi_id)
        if current.status in ("canceled", "succeeded", "processing"):
            return current
        return client().v1.payment_intents.cancel(pi_id)


def ephemeral_key_create(*, customer_id: str) -> str:
    """A short-lived key PaymentSheet uses to act for `customer_id`; returns its secret."""
    with stripe_errors():
        key = client().v1.ephemeral_keys.create(
            params={"customer": customer_id},
            options={"stripe_version": settings.STRIPE_EPHEMERAL_KEY_VERSION},
        )
    return key.secret


def refund_create(*, pi_id: str, amount: int, idempotency_key: str) -> stripe.Refund:
    """Refund `amount` (minor units) of the PaymentIntent's charge; idempotent per key."""
    with stripe_errors():
        return client().v1.refunds.create(
            params={"payment_intent": pi_id, "amount": amount},
            options={"idempotency_key": idempotency_key},
        )


def charge_refunds_list(*, charge_id: str) -> list:
    """All refunds of a charge (for settlement's refund sync)."""
    with stripe_errors():
        page = client().v1.refunds.list(params={"charge": charge_id, "limit": 100})
    return list(page.data)

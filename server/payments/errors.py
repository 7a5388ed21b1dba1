"""Errors of the payments app (cart, checkout, orders, Stripe), each with a stable code.

Every code here is part of the API contract; list new ones in mobile_api_docs/errors.md.
"""

from server.core.errors import ApplicationError


class PlanNotActive(ApplicationError):
    """The plan is not on sale any more (or never was); remove it from the cart."""

    code = "plan_not_active"
    status = 400
    message = "This plan is not available for purchase."


class CartEmpty(ApplicationError):
    code = "cart_empty"
    status = 400
    message = "Your cart is empty."


class CartCurrencyMismatch(ApplicationError):
    """One order is charged in one currency, so a cart holds plans of one currency only."""

    code = "cart_currency_mismatch"
    status = 409
    message = "Plans priced in different currencies cannot be bought together."


class CartQuantityExceeded(ApplicationError):
    code = "validation_error"
    status = 400
    message = "Invalid input."

    def __init__(self, maximum: int) -> None:
        super().__init__(fields={"quantity": [f"At most {maximum} of one plan per cart."]})


# --- Stripe, settlement, webhook, refunds (D1b) ------------------------------------


class PaymentProviderError(ApplicationError):
    """Stripe could not be reached or refused a request; nothing was changed on our side."""

    code = "payment_provider_error"
    status = 502
    message = "The payment provider could not be reached or refused the request; try again shortly."


class PaymentDeclined(ApplicationError):
    code = "payment_declined"
    status = 402
    message = "The card was declined."


class InvalidSignature(ApplicationError):
    """A webhook whose Stripe-Signature is missing, forged or older than the tolerance."""

    code = "invalid_signature"
    status = 400
    message = "The Stripe-Signature header is missing, invalid or stale."


class RefundNotAllowed(ApplicationError):
    """Not paid, nothing left to refund, or visits already used (a full refund then needs force)."""

    code = "refund_not_allowed"
    status = 409
    message = "This order cannot be refunded."

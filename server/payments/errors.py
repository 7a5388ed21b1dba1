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

"""Errors of the plans app (subscriptions and visit balances), each with a stable code."""

from server.core.errors import ApplicationError


class SubscriptionNotActive(ApplicationError):
    code = "subscription_not_active"
    status = 409
    message = "This plan is no longer active (it has expired or was revoked)."


class NoVisitsLeft(ApplicationError):
    code = "no_visits_left"
    status = 409
    message = "No visits are left for this category under this plan."


class CategoryNotCovered(ApplicationError):
    code = "category_not_covered"
    status = 400
    message = "This plan does not include visits for this category."

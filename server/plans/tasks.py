"""Periodic jobs of the plans app; thin: one service call each, safe to run twice."""

from celery import shared_task

from server.plans.services.subscriptions import subscriptions_expire_due


@shared_task(name="plans.subscriptions_expire")
def subscriptions_expire() -> int:
    """Nightly: mark subscriptions past their expiry as expired; returns how many it marked."""
    return subscriptions_expire_due()

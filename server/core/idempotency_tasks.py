"""Periodic cleanup of Idempotency-Keys (listed in CELERY_IMPORTS: core/tasks.py belongs to accounts)."""

from celery import shared_task

from server.core.idempotency import idempotency_keys_purge as purge


@shared_task(name="core.idempotency_keys_purge")
def idempotency_keys_purge() -> int:
    """Delete Idempotency-Keys older than settings.IDEMPOTENCY_KEY_TTL_HOURS (safe to run twice)."""
    return purge()

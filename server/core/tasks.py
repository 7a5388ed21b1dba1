"""Core scheduled jobs. Thin: each calls one service; safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from server.core.idempotency import idempotency_keys_purge as purge_idempotency_keys
from server.core.maintenance import tokens_flush_expired

logger = logging.getLogger("hearth.tasks")


@shared_task(name="core.flush_expired_tokens", acks_late=True)
def flush_expired_tokens() -> int:
    """Nightly: drop expired simplejwt outstanding/blacklisted token rows."""
    deleted = tokens_flush_expired()
    logger.info("flush_expired_tokens: deleted %d expired outstanding tokens", deleted)
    return deleted


@shared_task(name="core.idempotency_keys_purge", acks_late=True)
def idempotency_keys_purge() -> int:
    """Hourly: delete Idempotency-Keys older than settings.IDEMPOTENCY_KEY_TTL_HOURS."""
    return purge_idempotency_keys()

"""Core scheduled jobs. Thin: each calls one service; safe to run twice."""

from __future__ import annotations

import logging

from celery import shared_task

from server.core.maintenance import tokens_flush_expired

logger = logging.getLogger("hearth.tasks")


@shared_task(name="server.core.tasks.flush_expired_tokens", acks_late=True)
def flush_expired_tokens() -> int:
    """Nightly: drop expired simplejwt outstanding/blacklisted token rows."""
    deleted = tokens_flush_expired()
    logger.info("flush_expired_tokens: deleted %d expired outstanding tokens", deleted)
    return deleted

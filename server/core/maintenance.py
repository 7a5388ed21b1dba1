"""Housekeeping services run by scheduled jobs (see server/core/tasks.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken


def tokens_flush_expired() -> int:
    """Delete refresh tokens (outstanding and blacklisted) whose expiry has passed.

    Mirrors simplejwt's `flushexpiredtokens` command. An expired refresh token
    is refused by its `exp` claim alone, so its blacklist row is no longer
    needed. Safe to run twice: a second run finds nothing to delete.
    Returns how many outstanding tokens were deleted.
    """
    now = timezone.now()
    with transaction.atomic():
        expired = OutstandingToken.objects.filter(expires_at__lte=now)
        # BlacklistedToken cascades from OutstandingToken; deleted explicitly so the
        # intent does not hang on the FK's on_delete.
        BlacklistedToken.objects.filter(token__in=expired).delete()
        _, per_model = expired.delete()
    return per_model.get(OutstandingToken._meta.label, 0)

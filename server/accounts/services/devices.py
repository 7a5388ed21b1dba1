"""FCM device tokens: one token belongs to one user, the one who registered it last."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from server.accounts.models import Device, User
from server.core.errors import NotFound


def device_register(*, user: User, token: str, platform: str) -> tuple[Device, bool]:
    """Register `token` for `user`; returns (device, created) where created is False only when the
    token already was this user's. A token another user registered moves to this user."""
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                device = Device.objects.select_for_update().filter(token=token).first()
                if device is None:
                    return Device.objects.create(user=user, token=token, platform=platform, last_seen_at=now), True
                created = device.user_id != user.pk
                device.user = user
                device.platform = platform
                device.last_seen_at = now
                device.save(update_fields=["user", "platform", "last_seen_at"])
                return device, created
        except IntegrityError:
            continue  # a concurrent registration created the row first; take it over on the retry
    raise IntegrityError("device token registration kept conflicting")


def device_delete(*, user: User, token: str) -> None:
    """Drop one of the caller's tokens; someone else's (or an unknown) token is 404, nothing deleted."""
    if "\x00" in token or len(token) > Device._meta.get_field("token").max_length:
        raise NotFound("No such device.")  # cannot be stored, so it is not registered
    deleted, _ = Device.objects.filter(user=user, token=token).delete()
    if not deleted:
        raise NotFound("No such device.")


def devices_delete_tokens(*, tokens: Iterable[str]) -> int:
    """Prune tokens FCM reported as invalid or unregistered (used by push delivery)."""
    deleted, _ = Device.objects.filter(token__in=list(tokens)).delete()
    return deleted

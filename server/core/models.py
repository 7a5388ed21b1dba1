from django.conf import settings
from django.db import models


class IdempotencyState(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class IdempotencyKey(models.Model):
    """One client-chosen Idempotency-Key of one user, and the first response it produced.

    Written only by server/core/idempotency.py. A row is `in_progress` while the first
    request runs (held by `lock_token`, leased until `locked_until`), then `completed`
    with the stored response. Rows expire after settings.IDEMPOTENCY_KEY_TTL_HOURS.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=512)
    body_sha256 = models.CharField(max_length=64)
    state = models.CharField(max_length=20, choices=IdempotencyState.choices, default=IdempotencyState.IN_PROGRESS)
    lock_token = models.UUIDField()
    locked_until = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} ({self.state})"

"""Idempotency-Key for POST endpoints: a retry does the work once and gets the first answer.

Usage, on any APIView handler that creates something::

    class CheckoutView(APIView):
        @idempotent
        def post(self, request): ...

or as a mixin, which wraps the view's `post` for you::

    class ServiceRequestListView(IdempotentPostMixin, APIView):
        def post(self, request): ...

The client sends `Idempotency-Key: <1-255 chars>`. Keys are stored per user
(server/core/models.py `IdempotencyKey`) with a fingerprint of the request (method,
path, SHA-256 of the canonical JSON body):

- first request with a key → runs normally; a response below 500 (success or a 4xx
  refusal) is stored with its status and body;
- same key, same fingerprint, after completion → the stored response is replayed with
  the header `Idempotent-Replayed: true`; the view does not run, nothing is created;
- same key, different method/path/body → `409 idempotency_conflict`;
- same key while the first request is still running → `409 idempotency_in_progress`
  (with `Retry-After: 1`); the second request does NOT wait. We chose this over making
  it wait on a lock because waiting would hold a database transaction (or a connection)
  open across the first request's Stripe calls. The client retries with the same key
  and then gets the replay. (Stripe's own API behaves the same way.)
- a 5xx response or an unhandled exception is not stored: the key is released and a
  retry runs the view again (the view itself must be safe to run again, e.g. checkout
  resumes its pending order);
- a claim abandoned by a crashed process is taken over after
  settings.IDEMPOTENCY_LOCK_SECONDS; keys expire after settings.IDEMPOTENCY_KEY_TTL_HOURS
  (purged by the `core.idempotency_keys_purge` task);
- no header, or an anonymous caller → normal behaviour, nothing stored.

The claim is a short transaction of its own (insert-or-lock the row), so the view's
services keep owning their transactions and their on_commit side effects.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from server.core.errors import ApplicationError, ValidationFailed
from server.core.models import IdempotencyKey, IdempotencyState

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


class IdempotencyConflict(ApplicationError):
    code = "idempotency_conflict"
    status = 409
    message = "This Idempotency-Key was already used with a different request."


class IdempotencyInProgress(ApplicationError):
    code = "idempotency_in_progress"
    status = 409
    message = "A request with this Idempotency-Key is still being processed; retry shortly with the same key."


@dataclass(frozen=True)
class Fingerprint:
    method: str
    path: str
    body_sha256: str


def _ttl() -> timedelta:
    return timedelta(hours=getattr(settings, "IDEMPOTENCY_KEY_TTL_HOURS", 24))


def _lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_LOCK_SECONDS", 120))


def key_from_request(request) -> str | None:
    """The header's value, validated (1-255 printable characters), or None when absent."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not (1 <= len(key) <= MAX_KEY_LENGTH) or not key.isprintable():
        raise ValidationFailed(fields={HEADER: [f"Must be 1 to {MAX_KEY_LENGTH} printable characters."]})
    return key


def _canonical(data: Any) -> Any:
    if hasattr(data, "lists"):  # QueryDict (form/multipart): keep every value of every key
        return {k: [str(v) for v in values] for k, values in data.lists()}
    return data


def fingerprint_of(request) -> Fingerprint:
    body = json.dumps(_canonical(request.data), cls=JSONEncoder, sort_keys=True, separators=(",", ":"), default=str)
    return Fingerprint(
        method=request.method.upper(),
        path=request.path[:512],
        body_sha256=hashlib.sha256(body.encode()).hexdigest(),
    )


@dataclass(frozen=True)
class Claim:
    """Either a replay of a stored response, or the right to run the request (`token`)."""

    token: uuid.UUID | None = None
    replay: IdempotencyKey | None = None


def idempotency_claim(*, user, key: str, fingerprint: Fingerprint) -> Claim:
    """Claim `key` for this request, or return the stored response to replay.

    Raises IdempotencyConflict (other request under this key) or IdempotencyInProgress.
    """
    now = timezone.now()
    token = uuid.uuid4()
    fresh = {
        "method": fingerprint.method,
        "path": fingerprint.path,
        "body_sha256": fingerprint.body_sha256,
        "state": IdempotencyState.IN_PROGRESS,
        "lock_token": token,
        "locked_until": now + _lease(),
        "response_status": None,
        "response_body": None,
        "expires_at": now + _ttl(),
    }
    with transaction.atomic():
        # INSERT ... ON CONFLICT DO NOTHING, then lock whichever row won: concurrent first
        # requests serialise here and exactly one of them sees its own token.
        IdempotencyKey.objects.bulk_create([IdempotencyKey(user=user, key=key, **fresh)], ignore_conflicts=True)
        row = IdempotencyKey.objects.select_for_update().get(user=user, key=key)
        if row.lock_token == token:
            return Claim(token=token)
        if row.expires_at <= now:
            # Expired but not purged yet: the key is free again.
            IdempotencyKey.objects.filter(pk=row.pk).update(**fresh)
            return Claim(token=token)
        if (row.method, row.path, row.body_sha256) != (
            fingerprint.method,
            fingerprint.path,
            fingerprint.body_sha256,
        ):
            raise IdempotencyConflict()
        if row.state == IdempotencyState.COMPLETED:
            return Claim(replay=row)
        if row.locked_until > now:
            raise IdempotencyInProgress()
        # The first request's process died mid-way: take the claim over.
        IdempotencyKey.objects.filter(pk=row.pk).update(lock_token=token, locked_until=now + _lease())
        return Claim(token=token)


def idempotency_complete(*, user, key: str, token: uuid.UUID, status: int, body: Any) -> None:
    """Store the first response under the claim we still hold."""
    stored = json.loads(json.dumps(body, cls=JSONEncoder)) if body is not None else None
    IdempotencyKey.objects.filter(user=user, key=key, lock_token=token).update(
        state=IdempotencyState.COMPLETED, response_status=status, response_body=stored
    )


def idempotency_release(*, user, key: str, token: uuid.UUID) -> None:
    """Forget a claim whose request failed with a 5xx, so a retry runs again."""
    IdempotencyKey.objects.filter(user=user, key=key, lock_token=token, state=IdempotencyState.IN_PROGRESS).delete()


def idempotency_keys_purge(*, now=None) -> int:
    """Delete expired keys; returns how many. Run by the periodic cleanup task."""
    deleted, _ = IdempotencyKey.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def _replay(row: IdempotencyKey) -> Response:
    return Response(row.response_body, status=row.response_status, headers={REPLAYED_HEADER: "true"})


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Decorate an APIView handler (post) to honour the Idempotency-Key header.

    Authentication and permissions have already run (DRF calls the handler after
    `initial()`), so the key is scoped to the authenticated user.
    """

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs) -> Response:
        key = key_from_request(request)
        user = request.user
        if key is None or not getattr(user, "is_authenticated", False):
            return handler(view, request, *args, **kwargs)

        try:
            claim = idempotency_claim(user=user, key=key, fingerprint=fingerprint_of(request))
        except IdempotencyInProgress as exc:
            busy = view.handle_exception(exc)
            busy["Retry-After"] = "1"
            return busy
        if claim.replay is not None:
            return _replay(claim.replay)
        assert claim.token is not None

        try:
            response = handler(view, request, *args, **kwargs)
        except Exception as exc:
            # Render it here (as DRF would) so a 4xx refusal is stored like any answer.
            try:
                response = view.handle_exception(exc)
            except Exception:
                idempotency_release(user=user, key=key, token=claim.token)
                raise
        if response.status_code >= 500:
            idempotency_release(user=user, key=key, token=claim.token)
        else:
            idempotency_complete(user=user, key=key, token=claim.token, status=response.status_code, body=response.data)
        return response

    wrapper.idempotent = True  # type: ignore[attr-defined]
    return wrapper


class IdempotentPostMixin:
    """Mixin form of `idempotent`: the `post` handler of every subclass honours Idempotency-Key."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        post = cls.__dict__.get("post")
        if post is not None and not getattr(post, "idempotent", False):
            cls.post = idempotent(post)  # type: ignore[attr-defined]

"""One exception handler renders every error as API.md's body:

    {"error": {"code": "<stable_code>", "message": "<text>", "fields": {...}}}

`fields` is present only for validation errors. Unhandled exceptions are
logged and rendered as `500 internal_error` without internals.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from server.core.errors import ApplicationError

logger = logging.getLogger("hearth.errors")

# simplejwt's specific reasons for refusing a presented token, reported as API.md's one code.
TOKEN_REFUSALS = frozenset({"user_not_found", "user_inactive", "password_changed", "bad_authorization_header"})


def error_body(*, code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    return {"error": error}


def flatten_fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested error detail into {"a.b.0.c": ["msg", ...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in flatten_fields(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            out[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                if item in ({}, []):
                    continue
                name = f"{prefix}.{index}" if prefix else str(index)
                for k, v in flatten_fields(item, name).items():
                    out.setdefault(k, []).extend(v)
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def _render(exc: Exception) -> Response | None:
    if isinstance(exc, ApplicationError):
        # An error that may define `retry_after` (seconds) tells the client when to try again.
        retry_after = getattr(exc, "retry_after", None)
        return Response(
            error_body(code=exc.code, message=exc.message, fields=exc.fields),
            status=exc.status,
            headers={"Retry-After": str(int(retry_after))} if retry_after is not None else None,
        )

    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(
            error_body(code="validation_error", message="Invalid input.", fields=fields),
            status=400,
        )
    # Django refuses oversized or pathological bodies while DRF parses them; that is bad input, not a crash.
    if isinstance(exc, RequestDataTooBig):
        return Response(error_body(code="request_too_large", message="The request body is too large."), status=413)
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return Response(
            error_body(code="validation_error", message="Invalid input.", fields={"non_field_errors": [str(exc)]}),
            status=400,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response(error_body(code="bad_request", message="The request could not be processed."), status=400)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    if not isinstance(exc, drf.APIException):
        return None

    detail = exc.detail
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]

    if isinstance(exc, (drf.ValidationError, drf.ParseError)):
        fields = flatten_fields(detail if isinstance(exc, drf.ValidationError) else [detail])
        message = "Invalid input."
        if isinstance(exc, drf.ParseError):
            message = str(detail)
        return Response(error_body(code="validation_error", message=message, fields=fields), status=400)

    if isinstance(detail, dict):
        # simplejwt: {"detail": ..., "code": "token_not_valid", "messages": [...]}
        message = str(detail.get("detail", "")) or str(exc.default_detail)
        code = str(detail.get("code") or exc.default_code)
    else:
        # DRF's codes are already stable snake_case names (not_found, throttled, token_not_valid…).
        message = str(detail)
        specific = exc.get_codes()
        code = specific if isinstance(specific, str) and specific != "invalid" else exc.default_code
    if isinstance(exc, drf.AuthenticationFailed) and code in TOKEN_REFUSALS:
        # A token for a deleted or deactivated user, one issued before a password change, or a
        # mangled header: to the app all mean "this token is no good, log in again".
        code = "token_not_valid"
    return Response(error_body(code=code, message=message), status=exc.status_code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    response = _render(exc)
    if response is None:
        request = context.get("request")
        logger.exception(
            "Unhandled error on %s %s", getattr(request, "method", "?"), getattr(request, "path", "?"), exc_info=exc
        )
        response = Response(error_body(code="internal_error", message="Internal server error."), status=500)
    set_rollback()
    return response

"""The one error type of Hearth: a stable code, a human message, an HTTP status."""

from __future__ import annotations


class ApplicationError(Exception):
    """A refusal the client can act on; rendered as API.md's error body.

    Subclasses fix `code` and `status`; instances may override the message and
    add per-field messages (`fields`) for validation-like errors.
    """

    code = "bad_request"
    status = 400
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.fields = fields
        super().__init__(self.message)


class NotFound(ApplicationError):
    code = "not_found"
    status = 404
    message = "Not found."


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    status = 403
    message = "You do not have permission to perform this action."


class Conflict(ApplicationError):
    code = "conflict"
    status = 409
    message = "The request conflicts with the current state."


class ValidationFailed(ApplicationError):
    code = "validation_error"
    status = 400
    message = "Invalid input."


class ServiceUnavailable(ApplicationError):
    code = "service_unavailable"
    status = 503
    message = "A service Hearth depends on is unavailable; try again shortly."

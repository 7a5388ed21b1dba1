"""Errors of the accounts app; each code is part of the API contract (mobile_api_docs/errors.md)."""

from server.core.errors import ApplicationError


class InvalidCredentials(ApplicationError):
    """Login refused. Same answer for an unknown user, a wrong password and an inactive account."""

    code = "invalid_credentials"
    status = 401
    message = "No active account found with the given credentials."


class TokenNotValid(ApplicationError):
    """A refresh token that is expired, malformed or blacklisted (same code simplejwt uses)."""

    code = "token_not_valid"
    status = 401
    message = "Token is invalid or expired."


class InvalidToken(ApplicationError):
    """An emailed one-time token (password reset, email verification) that is wrong, used or expired;
    also a refresh token handed to logout that does not belong to the caller."""

    code = "invalid_token"
    status = 400
    message = "This link or token is invalid or has expired."


class AddressLimitReached(ApplicationError):
    code = "address_limit_reached"
    status = 400
    message = "You have saved the maximum number of addresses; delete one first."


class AddressInUse(ApplicationError):
    code = "address_in_use"
    status = 409
    message = "This address is used by a service request and cannot be deleted."

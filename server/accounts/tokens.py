"""One-time tokens for emailed links, and the uid that travels with them.

Both generators are Django's PasswordResetTokenGenerator (HMAC over user state
plus a timestamp, expiring after PASSWORD_RESET_TIMEOUT). A token is single-use
because the state it hashes changes once it is used: the password hash for a
reset, the `email_verified` flag for verification.
"""

from __future__ import annotations

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode


class PasswordResetTokens(PasswordResetTokenGenerator):
    key_salt = "hearth.accounts.tokens.PasswordResetTokens"


class EmailVerificationTokens(PasswordResetTokenGenerator):
    key_salt = "hearth.accounts.tokens.EmailVerificationTokens"

    def _make_hash_value(self, user, timestamp: int) -> str:
        return f"{user.pk}{user.email}{user.email_verified}{timestamp}"


password_reset_tokens = PasswordResetTokens()
email_verification_tokens = EmailVerificationTokens()


def uid_encode(user_id: int) -> str:
    return urlsafe_base64_encode(force_bytes(user_id))


def uid_decode(uid: str) -> int | None:
    """The user id inside `uid`, or None when it is not one of ours."""
    try:
        value = force_str(urlsafe_base64_decode(uid))
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return int(value) if value.isdigit() and len(value) < 19 else None

"""The account emails (verification, password reset): text + simple HTML, sent with django.core.mail.

Called from Celery tasks (tasks.py) after the transaction that caused them commits.
Each function re-reads the user and does nothing when the email is no longer due,
so a task that runs twice at worst sends a second, equally valid link.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from server.accounts.models import User
from server.accounts.tokens import email_verification_tokens, password_reset_tokens, uid_encode

logger = logging.getLogger("hearth.accounts")


def _link(path: str, *, user: User, token: str) -> str:
    query = urlencode({"uid": uid_encode(user.pk), "token": token})
    return f"{settings.FRONTEND_URL.rstrip('/')}/{path}?{query}"


def _send(*, user: User, subject: str, template: str, context: dict) -> None:
    context = {"user": user, "support_phone": settings.SUPPORT_PHONE, **context}
    text = render_to_string(f"accounts/email/{template}.txt", context)
    html = render_to_string(f"accounts/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()


def verification_email_send(*, user_id: int) -> bool:
    """Email a link that verifies the user's address. False (nothing sent) if already verified."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email_verified:
        return False
    token = email_verification_tokens.make_token(user)
    _send(
        user=user,
        subject="Confirm your email for Hearth",
        template="verify_email",
        context={"uid": uid_encode(user.pk), "token": token, "link": _link("verify-email", user=user, token=token)},
    )
    return True


def password_reset_email_send(*, user_id: int) -> bool:
    """Email a one-time password-reset link. False (nothing sent) for a missing or inactive user."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    token = password_reset_tokens.make_token(user)
    _send(
        user=user,
        subject="Reset your Hearth password",
        template="password_reset",
        context={"uid": uid_encode(user.pk), "token": token, "link": _link("reset-password", user=user, token=token)},
    )
    return True

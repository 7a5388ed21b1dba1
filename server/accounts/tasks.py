"""Thin Celery tasks: ids in, one call, retries on mail-server trouble. Safe to run twice."""

from __future__ import annotations

import smtplib

from celery import shared_task

from server.accounts import emails

RETRY = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


@shared_task(name="accounts.send_verification_email", **RETRY)
def send_verification_email(user_id: int) -> bool:
    return emails.verification_email_send(user_id=user_id)


@shared_task(name="accounts.send_password_reset_email", **RETRY)
def send_password_reset_email(user_id: int) -> bool:
    return emails.password_reset_email_send(user_id=user_id)

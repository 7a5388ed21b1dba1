"""The email tasks: safe to run twice, quiet when the email is no longer due, retried on SMTP trouble."""

import smtplib

import pytest
from django.core import mail

from server.accounts import tasks
from tests import factories

pytestmark = pytest.mark.django_db


def test_verification_task_sends_text_and_html_and_is_quiet_once_verified():
    user = factories.CustomerFactory(email_verified=False, full_name="Ravi")

    assert tasks.send_verification_email.delay(user.pk).get() is True
    message = mail.outbox[0]
    assert message.subject == "Confirm your email for Hearth"
    assert "Ravi" in message.body
    html = message.alternatives[0][0]
    assert "verify-email?uid=" in html

    user.email_verified = True
    user.save()
    assert tasks.send_verification_email.delay(user.pk).get() is False
    assert len(mail.outbox) == 1


def test_tasks_for_missing_or_inactive_users_send_nothing():
    inactive = factories.CustomerFactory(is_active=False, email_verified=False)

    assert tasks.send_password_reset_email.delay(999999).get() is False
    assert tasks.send_password_reset_email.delay(inactive.pk).get() is False
    assert tasks.send_verification_email.delay(inactive.pk).get() is False
    assert mail.outbox == []


def test_the_html_email_escapes_the_users_name():
    user = factories.CustomerFactory(full_name="<script>x</script>")

    tasks.send_password_reset_email.delay(user.pk).get()

    assert "<script>" not in mail.outbox[0].alternatives[0][0]


def test_email_tasks_retry_on_smtp_trouble():
    assert smtplib.SMTPException in tasks.send_verification_email.autoretry_for
    assert tasks.send_password_reset_email.max_retries >= 3

"""Account emails leave through a real Celery worker and Django's SMTP backend to a real SMTP server."""

import re

import pytest

from server.accounts.models import User
from tests import factories

pytestmark = pytest.mark.worker


def _uid_and_token(text: str) -> tuple[str, str]:
    uid = re.search(r"^uid: (\S+)\s*$", text, re.M)
    token = re.search(r"^token: (\S+)\s*$", text, re.M)
    assert uid and token, text
    return uid.group(1), token.group(1)


def test_registering_emails_a_verification_link_that_verifies_the_address(api, live_worker, smtp_sink):
    response = api.post(
        "/api/v1/auth/register/",
        {"email": "Asha.Rao@Example.com", "password": "long-enough-pass-42", "full_name": "Asha Rao"},
        format="json",
    )
    assert response.status_code == 201, response.content

    [message] = smtp_sink.wait_for(1, timeout=60)
    assert message.rcpt_tos == ["asha.rao@example.com"]
    assert message.to == ["asha.rao@example.com"]
    assert "Confirm your email" in message.subject
    assert "verify-email?uid=" in message.text
    assert message.html and "verify-email?uid=" in message.html
    assert not User.objects.get(email="asha.rao@example.com").email_verified

    uid, token = _uid_and_token(message.text)
    verified = api.post("/api/v1/auth/email/verify/", {"uid": uid, "token": token}, format="json")

    assert verified.status_code == 200, verified.content
    assert verified.json() == {"email_verified": True}
    assert User.objects.get(email="asha.rao@example.com").email_verified


def test_password_reset_email_arrives_for_a_known_address_only(api, live_worker, smtp_sink):
    user = factories.CustomerFactory(email="known@example.com")

    unknown = api.post("/api/v1/auth/password/reset/", {"email": "nobody@example.com"}, format="json")
    known = api.post("/api/v1/auth/password/reset/", {"email": user.email}, format="json")

    assert unknown.status_code == known.status_code == 202
    assert unknown.json() == known.json()  # nobody learns which addresses have accounts
    [message] = smtp_sink.wait_for(1, timeout=60)
    assert message.rcpt_tos == ["known@example.com"]
    assert "reset-password?uid=" in message.text
    assert message.html
    assert "accounts.send_password_reset_email" in live_worker.log(live_worker.test_log_start)

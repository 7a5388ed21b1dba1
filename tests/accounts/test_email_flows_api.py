"""Password reset, password change and email verification by emailed one-time tokens."""

import re

import pytest
from django.core import mail
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from server.accounts.models import User
from server.accounts.tokens import email_verification_tokens, password_reset_tokens, uid_encode
from tests import factories
from tests.accounts.conftest import error_code, error_fields

pytestmark = pytest.mark.django_db

RESET = "/api/v1/auth/password/reset/"
CONFIRM = "/api/v1/auth/password/reset/confirm/"
CHANGE = "/api/v1/auth/password/change/"
VERIFY = "/api/v1/auth/email/verify/"
RESEND = "/api/v1/auth/email/verify/resend/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
NEW = "a-brand-new-secret-77"


def uid_and_token(message) -> dict:
    return {
        "uid": re.search(r"uid: (\S+)", message.body).group(1),
        "token": re.search(r"token: (\S+)", message.body).group(1),
    }


def login(api, user, password=factories.PASSWORD):
    return api.post(TOKEN, {"email": user.email, "password": password})


# --- password reset ----------------------------------------------------------------------


def test_password_reset_emails_a_link_that_sets_a_new_password_once(api, customer, django_capture_on_commit_callbacks):
    old_refresh = login(api, customer).json()["refresh"]

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(RESET, {"email": customer.email.upper()})
    assert response.status_code == 202
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [customer.email]
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    link = uid_and_token(mail.outbox[0])

    confirmed = api.post(CONFIRM, {**link, "new_password": NEW})
    assert confirmed.status_code == 204
    assert login(api, customer, NEW).status_code == 200
    assert login(api, customer).status_code == 401

    # the link is single-use
    again = api.post(CONFIRM, {**link, "new_password": "yet-another-secret-88"})
    assert again.status_code == 400
    assert error_code(again) == "invalid_token"
    assert login(api, customer, NEW).status_code == 200

    # refresh tokens issued before the reset no longer work
    refused = api.post(REFRESH, {"refresh": old_refresh})
    assert refused.status_code == 401
    assert error_code(refused) == "token_not_valid"


def test_password_reset_answers_the_same_for_an_unknown_email_and_sends_nothing(
    api, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = api.post(RESET, {"email": customer.email})
        unknown = api.post(RESET, {"email": "nobody@example.com"})

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert len(mail.outbox) == 1


def test_password_reset_sends_nothing_to_an_inactive_account(api, django_capture_on_commit_callbacks):
    user = factories.CustomerFactory(is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(RESET, {"email": user.email}).status_code == 202

    assert mail.outbox == []


@pytest.mark.parametrize(
    "link",
    [
        {"uid": "bogus", "token": "bogus"},
        {"uid": uid_encode(999999), "token": "abc-def"},
        {"uid": "", "token": ""},
    ],
)
def test_password_reset_confirm_with_a_bad_link_changes_nothing(api, customer, link):
    before = User.objects.get(pk=customer.pk).password
    response = api.post(CONFIRM, {**link, "new_password": NEW})

    assert response.status_code == 400
    assert error_code(response) in {"invalid_token", "validation_error"}
    assert User.objects.get(pk=customer.pk).password == before


def test_password_reset_confirm_with_anothers_token_is_invalid(api, customer, other_customer):
    response = api.post(
        CONFIRM,
        {
            "uid": uid_encode(customer.pk),
            "token": password_reset_tokens.make_token(other_customer),
            "new_password": NEW,
        },
    )

    assert response.status_code == 400
    assert error_code(response) == "invalid_token"
    assert login(api, customer).status_code == 200


def test_password_reset_confirm_applies_the_password_validators_and_keeps_the_link_usable(api, customer):
    link = {"uid": uid_encode(customer.pk), "token": password_reset_tokens.make_token(customer)}

    weak = api.post(CONFIRM, {**link, "new_password": "123"})
    assert weak.status_code == 400
    assert "new_password" in error_fields(weak)
    assert User.objects.get(pk=customer.pk).check_password(factories.PASSWORD)

    assert api.post(CONFIRM, {**link, "new_password": NEW}).status_code == 204


# --- password change -----------------------------------------------------------------------


def test_password_change_returns_fresh_tokens_and_logs_out_other_sessions(api, customer_api, customer):
    other_session = login(api, customer).json()["refresh"]

    response = customer_api.post(CHANGE, {"old_password": factories.PASSWORD, "new_password": NEW})

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert login(api, customer, NEW).status_code == 200
    assert api.post(REFRESH, {"refresh": other_session}).status_code == 401
    assert api.post(REFRESH, {"refresh": response.json()["refresh"]}).status_code == 200


def test_password_change_with_the_wrong_old_password_changes_nothing(api, customer_api, customer):
    response = customer_api.post(CHANGE, {"old_password": "not-my-password", "new_password": NEW})

    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert "old_password" in error_fields(response)
    assert login(api, customer).status_code == 200
    assert not BlacklistedToken.objects.exists()


def test_password_change_refuses_a_weak_password(api, customer_api, customer):
    response = customer_api.post(CHANGE, {"old_password": factories.PASSWORD, "new_password": "password"})

    assert response.status_code == 400
    assert "new_password" in error_fields(response)
    assert login(api, customer).status_code == 200


def test_password_change_needs_a_login(api):
    response = api.post(CHANGE, {"old_password": "x", "new_password": NEW})
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


# --- email verification ----------------------------------------------------------------------


def test_the_emailed_verification_link_verifies_once(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            "/api/v1/auth/register/",
            {"email": "new@example.com", "password": NEW, "full_name": "New Person"},
        )
    link = uid_and_token(mail.outbox[0])

    response = api.post(VERIFY, link)
    assert response.status_code == 200
    assert response.json() == {"email_verified": True}
    assert User.objects.get(email="new@example.com").email_verified is True

    again = api.post(VERIFY, link)
    assert again.status_code == 400
    assert error_code(again) == "invalid_token"


def test_a_wrong_verification_token_changes_nothing(api):
    user = factories.CustomerFactory(email_verified=False)

    response = api.post(VERIFY, {"uid": uid_encode(user.pk), "token": "1-abc"})

    assert response.status_code == 400
    assert error_code(response) == "invalid_token"
    user.refresh_from_db()
    assert user.email_verified is False


def test_a_reset_token_does_not_verify_an_email(api):
    user = factories.CustomerFactory(email_verified=False)

    response = api.post(VERIFY, {"uid": uid_encode(user.pk), "token": password_reset_tokens.make_token(user)})

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email_verified is False


def test_resend_emails_a_new_verification_link(django_capture_on_commit_callbacks):
    from tests.fixtures.api import client_for

    user = factories.CustomerFactory(email_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(RESEND)

    assert response.status_code == 202
    assert len(mail.outbox) == 1
    link = uid_and_token(mail.outbox[0])
    assert email_verification_tokens.check_token(user, link["token"])


def test_resend_sends_nothing_when_already_verified(customer_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_api.post(RESEND)

    assert response.status_code == 202
    assert mail.outbox == []

"""Register, login, refresh and logout as the app does them."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from freezegun import freeze_time
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from server.accounts.models import ProfessionalProfile, Role, User
from tests import factories
from tests.accounts.conftest import error_code, error_fields

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"
STRONG = "plumb-the-depths-42"


def register(api, **overrides):
    body = {"email": "asha@example.com", "password": STRONG, "full_name": "Asha Rao", **overrides}
    return api.post(REGISTER, body, format="json")


def bearer(api, access):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api


# --- register ----------------------------------------------------------------------------


def test_register_creates_a_customer_returns_tokens_and_emails_a_verification_link(
    api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = register(api, email="Asha@Example.com", phone="+919812345678")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user"]["email"] == "asha@example.com"
    assert body["user"]["role"] == "customer"
    assert body["user"]["phone"] == "+919812345678"
    assert body["user"]["email_verified"] is False
    assert body["user"]["professional_profile"] is None
    assert body["access"] and body["refresh"]
    user = User.objects.get(email="asha@example.com")
    assert check_password(STRONG, user.password)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["asha@example.com"]
    assert "uid" in message.body and "token" in message.body
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    # the access token works
    assert bearer(api, body["access"]).get(ME).json()["id"] == user.pk


def test_register_as_professional_starts_unapproved(api):
    response = register(api, role="professional")

    assert response.status_code == 201
    profile = response.json()["user"]["professional_profile"]
    assert profile["is_approved"] is False
    assert ProfessionalProfile.objects.get(user__email="asha@example.com").is_approved is False


@pytest.mark.parametrize("role", ["admin", "support", "superuser"])
def test_nobody_registers_as_staff(api, role):
    response = register(api, role=role)

    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert "role" in error_fields(response)
    assert not User.objects.exists()


def test_register_refuses_a_duplicate_email_in_any_case(api, customer):
    response = register(api, email=customer.email.upper())

    assert response.status_code == 400
    assert "email" in error_fields(response)
    assert User.objects.count() == 1


def test_register_refuses_a_duplicate_phone(api, customer):
    response = register(api, phone=str(customer.phone))

    assert response.status_code == 400
    assert "phone" in error_fields(response)
    assert User.objects.count() == 1


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "asha@example.com"])
def test_register_applies_the_password_validators(api, password):
    response = register(api, password=password)

    assert response.status_code == 400
    assert "password" in error_fields(response)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "a" * 300 + "@example.com"}, "email"),
        ({"full_name": "x" * 151}, "full_name"),
        ({"full_name": ["a list"]}, "full_name"),
        ({"password": "p" * 129}, "password"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "+91" + "9" * 300}, "phone"),
        ({"phone": 919812345678}, "phone"),
        ({"role": "wizard"}, "role"),
        ({"email": None}, "email"),
    ],
)
def test_register_bad_input_is_a_validation_error_with_fields(api, overrides, field):
    response = register(api, **overrides)

    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert field in error_fields(response)
    assert not User.objects.exists()


def test_register_with_malformed_json_is_a_validation_error(api):
    response = api.post(REGISTER, data='{"email": "x@example.com", ', content_type="application/json")

    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert "fields" in response.json()["error"]
    assert not User.objects.exists()


def test_register_ignores_a_stale_authorization_header(api):
    bearer(api, "garbage")
    assert register(api).status_code == 201


# --- token ---------------------------------------------------------------------------------


def test_login_by_email_in_any_case(api, customer):
    response = api.post(TOKEN, {"email": customer.email.upper(), "password": factories.PASSWORD})

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert bearer(api, response.json()["access"]).get(ME).json()["id"] == customer.pk


def test_login_by_phone(api, customer):
    response = api.post(TOKEN, {"phone": str(customer.phone), "password": factories.PASSWORD})

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.last_login is not None


@pytest.mark.parametrize("case", ["wrong_password", "unknown_email", "unknown_phone", "inactive"])
def test_bad_login_is_invalid_credentials_whatever_the_reason(api, customer, case):
    body = {"email": customer.email, "password": factories.PASSWORD}
    if case == "wrong_password":
        body["password"] = "nope-nope-nope"
    elif case == "unknown_email":
        body["email"] = "nobody@example.com"
    elif case == "unknown_phone":
        body = {"phone": "+919999999999", "password": factories.PASSWORD}
    else:
        User.objects.filter(pk=customer.pk).update(is_active=False)

    response = api.post(TOKEN, body)

    assert response.status_code == 401
    assert error_code(response) == "invalid_credentials"
    assert not OutstandingToken.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"password": "x"},
        {"email": "a@example.com", "phone": "+919812345678", "password": "x"},
        {"email": "a@example.com"},
        {"phone": "0000", "password": "x"},
        {"email": "a@example.com", "password": {"nested": 1}},
    ],
)
def test_login_bad_input_is_a_validation_error(api, body):
    response = api.post(TOKEN, body, format="json")

    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert error_fields(response)


# --- refresh ---------------------------------------------------------------------------------


def login(api, user):
    return api.post(TOKEN, {"email": user.email, "password": factories.PASSWORD}).json()


def test_refresh_rotates_and_the_old_refresh_token_stops_working(api, customer):
    tokens = login(api, customer)

    first = api.post(REFRESH, {"refresh": tokens["refresh"]})
    assert first.status_code == 200
    assert first.json()["refresh"] != tokens["refresh"]
    assert bearer(api, first.json()["access"]).get(ME).status_code == 200

    again = api.post(REFRESH, {"refresh": tokens["refresh"]})
    assert again.status_code == 401
    assert error_code(again) == "token_not_valid"

    assert api.post(REFRESH, {"refresh": first.json()["refresh"]}).status_code == 200


def test_an_expired_refresh_token_is_token_not_valid(api, customer):
    tokens = login(api, customer)

    with freeze_time(timedelta(days=31)):
        response = api.post(REFRESH, {"refresh": tokens["refresh"]})

    assert response.status_code == 401
    assert error_code(response) == "token_not_valid"
    assert not BlacklistedToken.objects.exists()


@pytest.mark.parametrize("refresh", ["garbage", "a.b.c", "x" * 2048])
def test_a_malformed_refresh_token_is_token_not_valid(api, refresh):
    response = api.post(REFRESH, {"refresh": refresh})

    assert response.status_code == 401
    assert error_code(response) == "token_not_valid"


def test_an_access_token_is_not_a_refresh_token(api, customer):
    tokens = login(api, customer)

    response = api.post(REFRESH, {"refresh": tokens["access"]})

    assert response.status_code == 401
    assert error_code(response) == "token_not_valid"


def test_refresh_for_a_deactivated_account_is_refused(api, customer):
    tokens = login(api, customer)
    User.objects.filter(pk=customer.pk).update(is_active=False)

    response = api.post(REFRESH, {"refresh": tokens["refresh"]})

    assert response.status_code == 401
    assert error_code(response) == "token_not_valid"


# --- logout -------------------------------------------------------------------------------------


def test_logout_blacklists_the_refresh_token(api, customer):
    tokens = login(api, customer)
    bearer(api, tokens["access"])

    response = api.post(LOGOUT, {"refresh": tokens["refresh"]})

    assert response.status_code == 204
    refused = api.post(REFRESH, {"refresh": tokens["refresh"]})
    assert refused.status_code == 401
    assert error_code(refused) == "token_not_valid"
    # logging out twice (a retry on a flaky network) is fine
    assert api.post(LOGOUT, {"refresh": tokens["refresh"]}).status_code == 204


def test_logout_with_someone_elses_refresh_token_is_refused_and_blacklists_nothing(customer_api, other_customer):
    theirs = str(RefreshToken.for_user(other_customer))

    response = customer_api.post(LOGOUT, {"refresh": theirs})

    assert response.status_code == 400
    assert error_code(response) == "invalid_token"
    assert not BlacklistedToken.objects.exists()


def test_logout_needs_an_access_token(api, customer):
    tokens = login(api, customer)

    response = api.post(LOGOUT, {"refresh": tokens["refresh"]})

    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"
    assert not BlacklistedToken.objects.exists()


def test_createsuperuser_makes_an_admin(monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    call_command("createsuperuser", interactive=False, email="Boss@Example.com", full_name="Boss")

    user = User.objects.get(email="boss@example.com")
    assert user.role == Role.ADMIN
    assert user.is_staff and user.is_superuser

"""The error contract (API.md): every error is {"error": {"code", "message", "fields"?}}.

Driven through the real exception handler: test-only views in tests/core/urls_for_tests.py
raise each kind of error, and real endpoints are used where one exists.
"""

import json
import logging
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from devtools.smtp_sink import free_port
from server.accounts.models import User
from tests import factories

uses_test_views = pytest.mark.urls("tests.core.urls_for_tests")

VALID = {"name": "Asha", "count": 2, "kind": "plumbing"}


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]
    return body["error"]


# --- validation ------------------------------------------------------------------------


@uses_test_views
def test_valid_input_passes_the_test_view(api):
    response = api.post("/t/echo/", VALID, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Asha"


@uses_test_views
def test_malformed_json_is_a_validation_error_with_fields(api):
    response = api.generic("POST", "/t/echo/", '{"name": "Asha", "count": ', content_type="application/json")
    error = error_of(response, 400, "validation_error")
    assert error["fields"]["non_field_errors"][0].startswith("JSON parse error")


@uses_test_views
def test_wrong_types_are_reported_per_field(api):
    response = api.post("/t/echo/", {**VALID, "count": "many", "name": ["not", "a", "string"]}, format="json")
    error = error_of(response, 400, "validation_error")
    assert set(error["fields"]) == {"count", "name"}
    assert error["fields"]["count"] == ["A valid integer is required."]


@uses_test_views
def test_over_long_string_is_a_validation_error(api):
    response = api.post("/t/echo/", {**VALID, "name": "x" * 11}, format="json")
    error = error_of(response, 400, "validation_error")
    assert error["fields"] == {"name": ["Ensure this field has no more than 10 characters."]}


@uses_test_views
def test_unknown_enum_value_is_a_validation_error(api):
    response = api.post("/t/echo/", {**VALID, "kind": "astrology"}, format="json")
    error = error_of(response, 400, "validation_error")
    assert error["fields"] == {"kind": ['"astrology" is not a valid choice.']}


@uses_test_views
def test_missing_fields_are_each_named(api):
    response = api.post("/t/echo/", {}, format="json")
    error = error_of(response, 400, "validation_error")
    assert set(error["fields"]) == {"name", "count", "kind"}


@uses_test_views
def test_nested_errors_are_flattened_to_dotted_paths(api):
    response = api.post("/t/echo/", {**VALID, "items": [{"quantity": 1}, {"quantity": 99}]}, format="json")
    error = error_of(response, 400, "validation_error")
    assert error["fields"] == {"items.1.quantity": ["Ensure this value is less than or equal to 10."]}


@uses_test_views
def test_json_body_that_is_not_an_object_is_a_validation_error(api):
    response = api.generic("POST", "/t/echo/", "[1, 2]", content_type="application/json")
    error = error_of(response, 400, "validation_error")
    assert "non_field_errors" in error["fields"]


@uses_test_views
def test_django_validation_error_keeps_its_fields(api):
    error = error_of(api.get("/t/django-invalid/"), 400, "validation_error")
    assert error["fields"] == {"scheduled_for": ["Must be in the future."]}


@uses_test_views
def test_application_error_subclass_renders_its_code_status_and_fields(api):
    error = error_of(api.post("/t/slot-taken/", {}, format="json"), 409, "slot_taken")
    assert error["message"] == "That slot is taken."
    assert error["fields"] == {"scheduled_for": ["Pick another time."]}


REGISTER = "/api/v1/auth/register/"
GOOD_SIGNUP = {"email": "new@example.com", "password": "long-enough-pass-42", "full_name": "New Person"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"full_name": "x" * 151}, "full_name"),  # over-long string
        ({"email": 12345}, "email"),  # wrong type
        ({"role": "astronaut"}, "role"),  # unknown enum value
        ({"role": "admin"}, "role"),  # a role nobody may register as
        ({"password": None}, "password"),
    ],
)
def test_register_rejects_bad_input_with_the_field_named_and_creates_nobody(api, db, change, field):
    response = api.post(REGISTER, {**GOOD_SIGNUP, **change}, format="json")

    error = error_of(response, 400, "validation_error")
    assert field in error["fields"]
    assert not User.objects.exists()


def test_register_with_malformed_json_is_a_validation_error(api, db):
    response = api.generic("POST", REGISTER, '{"email": "new@example.com",', content_type="application/json")
    error_of(response, 400, "validation_error")
    assert not User.objects.exists()


def test_fields_are_absent_when_not_a_validation_error(api, db):
    error = error_of(api.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert "fields" not in error


@uses_test_views
def test_application_error_with_retry_after_sends_the_header(api):
    response = api.post("/t/busy/", {}, format="json")
    error_of(response, 409, "busy")
    assert response["Retry-After"] == "2"


@uses_test_views
def test_application_error_without_retry_after_sends_no_header(api):
    response = api.post("/t/slot-taken/", {}, format="json")
    assert "Retry-After" not in response


@uses_test_views
def test_oversized_json_body_is_request_too_large_not_a_crash(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({**VALID, "name": "x" * 2048})

    response = api.generic("POST", "/t/echo/", body, content_type="application/json")

    error_of(response, 413, "request_too_large")


@uses_test_views
def test_oversized_form_field_is_request_too_large_not_a_crash(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = api.post("/t/echo/", {**VALID, "name": "x" * 2048}, format="multipart")
    error_of(response, 413, "request_too_large")


@uses_test_views
def test_too_many_form_fields_is_a_validation_error_not_a_crash(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = api.post("/t/echo/", {f"field{i}": "1" for i in range(20)}, format="multipart")
    error = error_of(response, 400, "validation_error")
    assert "non_field_errors" in error["fields"]


# --- protocol errors ---------------------------------------------------------------------


@uses_test_views
def test_wrong_method_is_method_not_allowed(api):
    error_of(api.get("/t/echo/"), 405, "method_not_allowed")


def test_wrong_method_on_a_real_endpoint_is_method_not_allowed(api, db):
    error_of(api.delete("/api/v1/app-config/"), 405, "method_not_allowed")


def test_unacceptable_accept_header_is_406_in_json(api, db):
    error_of(api.get("/api/v1/app-config/", HTTP_ACCEPT="text/html"), 406, "not_acceptable")


@uses_test_views
def test_unsupported_content_type_is_415(api):
    response = api.generic("POST", "/t/echo/", "name=Asha", content_type="text/plain")
    error_of(response, 415, "unsupported_media_type")


# --- unhandled exceptions ------------------------------------------------------------------


@uses_test_views
def test_unhandled_exception_is_internal_error_without_internals_and_is_logged(api, settings, caplog):
    settings.DEBUG = False
    with caplog.at_level(logging.ERROR, logger="hearth.errors"):
        response = api.get("/t/boom/")

    error = error_of(response, 500, "internal_error")
    assert error == {"code": "internal_error", "message": "Internal server error."}
    text = response.content.decode()
    assert "hunter2" not in text
    assert "Traceback" not in text
    assert "RuntimeError" not in text
    [record] = [r for r in caplog.records if r.name == "hearth.errors"]
    assert record.levelno == logging.ERROR
    assert "GET /t/boom/" in record.getMessage()
    assert record.exc_info is not None
    assert "hunter2" in str(record.exc_info[1])  # the details go to the log, not to the client


@uses_test_views
def test_crash_outside_drf_is_json_internal_error_too(api, settings):
    settings.DEBUG = False
    api.raise_request_exception = False  # answer as the server would, instead of re-raising

    response = api.get("/plain/crash/")

    error = error_of(response, 500, "internal_error")
    assert "hunter2" not in response.content.decode()
    assert error == {"code": "internal_error", "message": "Internal server error."}


# --- Django's own exceptions ------------------------------------------------------------------


@uses_test_views
def test_django_http404_is_not_found(api):
    error_of(api.get("/t/missing/"), 404, "not_found")


@uses_test_views
def test_django_permission_denied_is_permission_denied(api):
    error_of(api.get("/t/forbidden/"), 403, "permission_denied")


def test_non_api_404_is_json_too(api, db, settings):
    settings.DEBUG = False
    error_of(api.get("/no-such-page"), 404, "not_found")


def test_unknown_api_path_is_json_not_found(api, db):
    error_of(api.get("/api/v1/does/not/exist/"), 404, "not_found")


# --- throttling ---------------------------------------------------------------------------------


@uses_test_views
def test_throttled_is_429_with_retry_after(api):
    assert api.get("/t/throttled/").status_code == 200

    response = api.get("/t/throttled/")

    error_of(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60


# --- authentication -------------------------------------------------------------------------------


@uses_test_views
def test_missing_token_is_not_authenticated(api):
    response = api.get("/t/private/")
    error_of(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


@uses_test_views
def test_expired_access_token_is_token_not_valid(api, db):
    user = factories.CustomerFactory()
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=5))
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    error_of(api.get("/t/private/"), 401, "token_not_valid")


@uses_test_views
def test_garbage_token_is_token_not_valid(api, db):
    api.credentials(HTTP_AUTHORIZATION="Bearer not.a.jwt")
    error_of(api.get("/t/private/"), 401, "token_not_valid")


@uses_test_views
def test_malformed_authorization_header_is_token_not_valid(api, db):
    api.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    response = api.get("/t/private/")
    error_of(response, 401, "token_not_valid")


@uses_test_views
def test_token_of_a_deactivated_user_is_token_not_valid(customer_api, customer):
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    error_of(customer_api.get("/t/private/"), 401, "token_not_valid")


@uses_test_views
def test_token_of_a_deleted_user_is_token_not_valid(customer_api, customer):
    customer.delete()
    error_of(customer_api.get("/t/private/"), 401, "token_not_valid")


@uses_test_views
def test_valid_token_passes(customer_api):
    response = customer_api.get("/t/private/")
    assert response.status_code == 200
    assert response.json() == {"id": customer_api.user.id}


# --- readiness ----------------------------------------------------------------------------------------


def test_readyz_is_503_naming_the_cache_when_it_is_unreachable(api, db, redis_cache):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    broken = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": closed,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "SOCKET_CONNECT_TIMEOUT": 2},
        }
    }
    with override_settings(CACHES=broken):  # Django resets its cache handlers on this change
        response = api.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "ok", "cache": "unavailable"}}
    assert api.get("/readyz").status_code == 200  # and back once the cache answers


def test_readyz_is_503_naming_the_database_when_it_is_unreachable(api, transactional_db, postgres):
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
    try:
        response = api.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable", "cache": "ok"}}
    assert api.get("/readyz").status_code == 200

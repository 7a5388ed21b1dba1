"""Odd input the fuzzer and real phones send: never a 500."""

import pytest

from tests.accounts.conftest import error_code

pytestmark = pytest.mark.django_db

HUGE = 10**25


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", f"/api/v1/me/addresses/{HUGE}/"),
        ("patch", f"/api/v1/me/addresses/{HUGE}/"),
        ("delete", f"/api/v1/me/addresses/{HUGE}/"),
    ],
)
def test_an_out_of_range_id_is_not_found(customer_api, method, url):
    response = getattr(customer_api, method)(url, {}, format="json")
    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_approving_an_out_of_range_id_is_not_found(admin_api):
    response = admin_api.post(f"/api/v1/admin/professionals/{HUGE}/approve/")
    assert response.status_code == 404


def test_an_avatar_sent_as_json_text_is_a_validation_error(customer_api):
    response = customer_api.patch("/api/v1/me/", {"avatar": "http://example.com/a.png"}, format="json")
    assert response.status_code == 400
    assert "avatar" in response.json()["error"]["fields"]


def test_a_multipart_patch_with_flat_fields_works(professional_api):
    response = professional_api.patch(
        "/api/v1/me/", {"full_name": "Multi Part", "professional_profile": "x"}, format="multipart"
    )
    assert response.status_code in {200, 400}
    assert response.status_code != 500


def test_a_json_array_body_is_a_validation_error(api):
    response = api.post("/api/v1/auth/token/", [1, 2], format="json")
    assert response.status_code == 400
    assert error_code(response) == "validation_error"


@pytest.mark.parametrize("token", ["%00", "a" * 600, "ü-token"])
def test_odd_device_tokens_in_the_path_are_not_found(customer_api, token):
    response = customer_api.delete(f"/api/v1/devices/{token}/")
    assert response.status_code == 404


def test_nul_bytes_are_refused_not_a_500(api):
    response = api.post(
        "/api/v1/auth/register/",
        {"email": "a@example.com", "password": "plumb-the-depths-42", "full_name": "A\x00B"},
        format="json",
    )
    assert response.status_code == 400

"""The caller's own profile: read, change, avatar upload, professional profile."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from server.accounts.models import User
from tests import factories
from tests.accounts.conftest import error_code, error_fields

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def image_file(name="me.png", fmt="PNG", size=(32, 32)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def test_me_shows_my_profile_with_addresses(customer_api, customer):
    factories.AddressFactory(user=customer, is_default=True)
    factories.AddressFactory(user=customer)
    factories.AddressFactory()  # someone else's

    response = customer_api.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == customer.pk
    assert body["email"] == customer.email
    assert body["phone"] == str(customer.phone)
    assert body["role"] == "customer"
    assert body["avatar"] is None
    assert body["professional_profile"] is None
    assert [a["is_default"] for a in body["addresses"]] == [True, False]


def test_me_needs_a_login(api):
    response = api.get(ME)
    assert response.status_code == 401
    assert error_code(response) == "not_authenticated"


def test_me_query_count_is_flat(customer_api, customer, django_assert_max_num_queries):
    factories.AddressFactory.create_batch(5, user=customer)
    with django_assert_max_num_queries(4):
        customer_api.get(ME)


def test_patch_me_changes_name_and_phone(customer_api, customer):
    response = customer_api.patch(ME, {"full_name": "New Name", "phone": "+919700000001"}, format="json")

    assert response.status_code == 200
    assert response.json()["full_name"] == "New Name"
    assert response.json()["phone"] == "+919700000001"
    customer.refresh_from_db()
    assert str(customer.phone) == "+919700000001"


def test_patch_me_can_clear_the_phone(customer_api, customer):
    response = customer_api.patch(ME, {"phone": None}, format="json")

    assert response.status_code == 200
    assert response.json()["phone"] is None


def test_patch_me_refuses_a_phone_someone_else_has(customer_api, customer, other_customer):
    response = customer_api.patch(ME, {"phone": str(other_customer.phone)}, format="json")

    assert response.status_code == 400
    assert "phone" in error_fields(response)
    customer.refresh_from_db()
    assert customer.phone != other_customer.phone


def test_role_and_email_are_not_writable(customer_api, customer):
    response = customer_api.patch(ME, {"role": "admin", "email": "evil@example.com"}, format="json")

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.role == "customer"
    assert customer.email != "evil@example.com"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"full_name": "x" * 151}, "full_name"),
        ({"full_name": {"a": 1}}, "full_name"),
        ({"phone": "not a phone"}, "phone"),
        ({"professional_profile": "flat"}, "professional_profile.non_field_errors"),
    ],
)
def test_patch_me_bad_input_is_a_validation_error(customer_api, body, field):
    response = customer_api.patch(ME, body, format="json")

    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert field in error_fields(response)


def test_avatar_upload_stores_an_image_and_returns_its_url(customer_api, customer):
    response = customer_api.patch(ME, {"avatar": image_file()}, format="multipart")

    assert response.status_code == 200, response.content
    assert response.json()["avatar"].startswith("http://testserver/media/avatars/")
    customer.refresh_from_db()
    assert customer.avatar.name.endswith(".png")
    assert customer.avatar.storage.exists(customer.avatar.name)


def test_replacing_the_avatar_deletes_the_old_file(customer_api, customer, django_capture_on_commit_callbacks):
    customer_api.patch(ME, {"avatar": image_file()}, format="multipart")
    customer.refresh_from_db()
    old = customer.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        response = customer_api.patch(ME, {"avatar": image_file("b.jpg", "JPEG")}, format="multipart")

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.avatar.name != old
    assert not customer.avatar.storage.exists(old)


def test_a_non_image_avatar_is_refused(customer_api, customer):
    fake = SimpleUploadedFile("me.png", b"#!/bin/sh\necho not an image\n", content_type="image/png")

    response = customer_api.patch(ME, {"avatar": fake}, format="multipart")

    assert response.status_code == 400
    assert error_code(response) == "validation_error"
    assert "avatar" in error_fields(response)
    customer.refresh_from_db()
    assert not customer.avatar


def test_an_oversized_avatar_is_refused(customer_api, customer, settings):
    settings.AVATAR_MAX_BYTES = 1000
    response = customer_api.patch(ME, {"avatar": image_file(size=(400, 400), fmt="PNG")}, format="multipart")

    assert response.status_code == 400
    assert "avatar" in error_fields(response)
    customer.refresh_from_db()
    assert not customer.avatar


def test_an_image_in_an_unsupported_format_is_refused(customer_api, customer):
    response = customer_api.patch(ME, {"avatar": image_file("me.bmp", "BMP")}, format="multipart")

    assert response.status_code == 400
    assert "avatar" in error_fields(response)


# --- professional profile -------------------------------------------------------------------


def test_a_professional_sees_and_edits_their_profile(professional_api, professional):
    plumbing = factories.CategoryFactory(slug="plumbing")
    factories.CategoryFactory(slug="electrical")

    response = professional_api.patch(
        ME,
        {
            "professional_profile": {
                "categories": ["plumbing"],
                "city": "Mysuru",
                "experience_years": 7,
                "bio": "Pipes.",
                "is_available": False,
            }
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    profile = response.json()["professional_profile"]
    assert profile["categories"] == ["plumbing"]
    assert profile["city"] == "Mysuru"
    assert profile["experience_years"] == 7
    assert profile["is_available"] is False
    assert profile["is_approved"] is True
    assert list(professional.professional_profile.categories.all()) == [plumbing]


def test_a_professional_cannot_approve_themselves_or_set_their_rating(api):
    pro = factories.UserFactory(role="professional")
    factories.ProfessionalProfileFactory(user=pro, is_approved=False)
    from tests.fixtures.api import client_for

    response = client_for(pro).patch(
        ME,
        {"professional_profile": {"is_approved": True, "rating_avg": "5.00", "city": "Pune"}},
        format="json",
    )

    assert response.status_code == 200
    pro.professional_profile.refresh_from_db()
    assert pro.professional_profile.is_approved is False
    assert pro.professional_profile.rating_avg == 0
    assert pro.professional_profile.city == "Pune"


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        ({"categories": ["no-such-category"]}, "professional_profile.categories"),
        ({"experience_years": -1}, "professional_profile.experience_years"),
        ({"experience_years": "many"}, "professional_profile.experience_years"),
        ({"bio": "x" * 2001}, "professional_profile.bio"),
        ({"city": "x" * 101}, "professional_profile.city"),
    ],
)
def test_professional_profile_bad_input_changes_nothing(professional_api, professional, profile, field):
    response = professional_api.patch(ME, {"professional_profile": profile, "full_name": "Changed"}, format="json")

    assert response.status_code == 400
    assert field in error_fields(response)
    assert User.objects.get(pk=professional.pk).full_name != "Changed"


def test_a_customer_has_no_professional_profile_to_edit(customer_api, customer):
    response = customer_api.patch(ME, {"professional_profile": {"city": "Pune"}, "full_name": "X"}, format="json")

    assert response.status_code == 400
    assert "professional_profile" in error_fields(response)
    customer.refresh_from_db()
    assert customer.full_name != "X"

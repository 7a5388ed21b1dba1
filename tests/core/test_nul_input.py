"""NUL characters never reach PostgreSQL: every parser refuses them with a 400 naming the field."""

import pytest

from server.accounts.models import ProfessionalProfile
from tests import factories


def test_nul_in_a_related_slug_is_a_validation_error_not_a_500(professional_api, professional):
    categories_before = list(ProfessionalProfile.objects.get(user=professional).categories.all())

    response = professional_api.patch(
        "/api/v1/me/", {"professional_profile": {"categories": ["plumb\x00ing"]}}, format="json"
    )

    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    assert body["fields"] == {"professional_profile.categories.0": ["Null characters are not allowed."]}
    assert list(ProfessionalProfile.objects.get(user=professional).categories.all()) == categories_before


def test_nul_in_a_customer_patch_is_refused(customer_api, customer):
    response = customer_api.patch("/api/v1/me/", {"professional_profile": {"categories": ["a\x00"]}}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("fmt", ["multipart", "json"])
def test_nul_in_a_cart_plan_id_is_refused_in_every_format(customer_api, fmt):
    plan = factories.PlanFactory()

    response = customer_api.post("/api/v1/cart/items/", {"plan": f"{plan.id}\x00", "quantity": "1"}, format=fmt)

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["plan"] == ["Null characters are not allowed."]
    assert customer_api.get("/api/v1/cart/").json()["items"] == []


def test_nul_in_a_key_is_refused(api, db):
    response = api.post("/api/v1/auth/token/", {"email\x00": "a@example.com", "password": "x"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"

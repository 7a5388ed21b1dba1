"""Django's own 400s (raised before or outside DRF) are JSON in API.md's shape, not HTML (found by fuzzing)."""

import pytest
from django.test import Client


@pytest.fixture
def raw_client(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_too_many_query_parameters_is_a_json_bad_request(raw_client):
    query = "&".join(f"p{i}=1" for i in range(1500))

    response = raw_client.get(f"/api/v1/plans/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "bad_request"


@pytest.mark.django_db
def test_disallowed_host_is_a_json_bad_request(raw_client):
    response = raw_client.get("/api/v1/app-config/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "bad_request", "message": "Bad request."}}

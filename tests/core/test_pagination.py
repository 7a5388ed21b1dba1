"""A page or cursor that does not exist is a 400 validation_error on that parameter (found by fuzzing)."""

import pytest
from rest_framework.test import APIRequestFactory

from server.accounts.models import User
from server.core.pagination import CursorPagination, PageNumberPagination
from tests import factories

rf = APIRequestFactory()


def request(query: str):
    from rest_framework.request import Request

    return Request(rf.get(f"/x/?{query}"))


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["0", "null", "999", "-1"])
def test_page_that_does_not_exist_is_a_validation_error(page):
    factories.CustomerFactory()
    paginator = PageNumberPagination()

    with pytest.raises(Exception) as caught:
        paginator.paginate_queryset(User.objects.all(), request(f"page={page}"))

    assert caught.value.status_code == 400
    assert "page" in caught.value.detail


@pytest.mark.django_db
def test_first_page_still_paginates():
    factories.CustomerFactory()
    paginator = PageNumberPagination()

    rows = paginator.paginate_queryset(User.objects.all(), request("page=1"))

    assert len(rows) == 1


@pytest.mark.django_db
def test_malformed_cursor_is_a_validation_error():
    paginator = CursorPagination()
    paginator.ordering = "-date_joined"

    with pytest.raises(Exception) as caught:
        paginator.paginate_queryset(User.objects.all(), request("cursor=not-a-cursor"))

    assert caught.value.status_code == 400
    assert "cursor" in caught.value.detail


@pytest.mark.django_db
def test_list_endpoint_answers_a_missing_page_with_validation_error(customer_api):
    response = customer_api.get("/api/v1/orders/?page=0")

    assert response.status_code == 400, response.content
    body = response.json()["error"]
    assert body["code"] == "validation_error"
    assert "page" in body["fields"]


def test_schema_says_pages_start_at_one():
    params = {p["name"]: p for p in PageNumberPagination().get_schema_operation_parameters(view=None)}

    assert params["page"]["schema"] == {"type": "integer", "minimum": 1}

"""The public catalogue as the app reads it: shapes, filters, what is hidden, errors, query counts.

These tests run with the cache disabled so every request exercises the database path;
test_catalogue_cache.py covers the cache.
"""

import pytest

from server.plans.models import Category
from tests import factories

CATEGORIES = "/api/v1/categories/"
PLANS = "/api/v1/plans/"


@pytest.fixture(autouse=True)
def _uncached(settings):
    settings.CATALOGUE_CACHE = False


def slugs(response):
    return [item["slug"] for item in response.json()["results"]]


def test_categories_list_shows_active_categories_in_sort_order(api, catalogue):
    response = api.get(CATEGORIES)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["next"] is None
    assert body["previous"] is None
    assert slugs(response) == ["plumbing", "electrical"]
    assert body["results"][0] == {
        "id": catalogue.plumbing.id,
        "name": "Plumbing",
        "slug": "plumbing",
        "description": "Service category",
        "icon_url": None,
        "image_url": None,
        "sort_order": 1,
    }


def test_category_detail_by_slug(api, catalogue):
    catalogue.electrical.icon_url = "https://cdn.example.com/electrical.svg"
    catalogue.electrical.save()

    response = api.get(f"{CATEGORIES}electrical/")

    assert response.status_code == 200
    assert response.json()["id"] == catalogue.electrical.id
    assert response.json()["icon_url"] == "https://cdn.example.com/electrical.svg"


def test_inactive_category_detail_is_not_found(api, catalogue):
    response = api.get(f"{CATEGORIES}pest-control/")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "No such category."}}


def test_unknown_category_detail_is_not_found(api, catalogue):
    response = api.get(f"{CATEGORIES}no-such-thing/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_plans_list_shows_active_plans_with_price_entitlements_and_inclusions(api, catalogue):
    response = api.get(PLANS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert slugs(response) == ["home-care", "spark", "bug-free"]
    assert body["results"][0] == {
        "id": catalogue.home.id,
        "name": "Home Care",
        "slug": "home-care",
        "description": "A year of care",
        "price": {"amount": 99900, "currency": "INR"},
        "validity_days": 365,
        "entitlements": [
            {"category": "plumbing", "category_name": "Plumbing", "visits": 4},
            {"category": "electrical", "category_name": "Electrical", "visits": 2},
        ],
        "inclusions": ["Priority booking", "No call-out fee"],
        "is_featured": True,
        "image_url": None,
        "sort_order": 1,
    }


def test_plan_whose_categories_are_inactive_is_still_listed(api, catalogue):
    response = api.get(PLANS)

    bug_free = next(item for item in response.json()["results"] if item["slug"] == "bug-free")
    assert bug_free["entitlements"] == [{"category": "pest-control", "category_name": "Pest control", "visits": 3}]


def test_plans_filtered_by_category(api, catalogue):
    assert slugs(api.get(PLANS, {"category": "electrical"})) == ["home-care", "spark"]
    assert slugs(api.get(PLANS, {"category": "plumbing"})) == ["home-care"]


def test_plans_filtered_by_unknown_or_inactive_category_is_an_empty_list(api, catalogue):
    for slug in ["no-such-category", "pest-control"]:
        response = api.get(PLANS, {"category": slug})

        assert response.status_code == 200
        assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_plans_filter_that_is_not_a_slug_is_a_validation_error(api, catalogue):
    response = api.get(PLANS, {"category": "no spaces/allowed"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "category" in error["fields"]


def test_plans_filter_longer_than_a_slug_is_a_validation_error(api, catalogue):
    response = api.get(PLANS, {"category": "x" * 101})

    assert response.status_code == 400
    assert "category" in response.json()["error"]["fields"]


def test_plan_detail(api, catalogue):
    response = api.get(f"{PLANS}{catalogue.spark.id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == "spark"
    assert body["price"] == {"amount": 29900, "currency": "INR"}
    assert body["entitlements"] == [{"category": "electrical", "category_name": "Electrical", "visits": 1}]


def test_inactive_plan_detail_is_not_found(api, catalogue):
    response = api.get(f"{PLANS}{catalogue.retired.id}/")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "No such plan."}}


@pytest.mark.parametrize("plan_id", ["999999", "0", "99999999999999999999999"])
def test_missing_or_out_of_range_plan_id_is_not_found(api, catalogue, plan_id):
    response = api.get(f"{PLANS}{plan_id}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_page_past_the_end_is_a_validation_error(api, catalogue):
    response = api.get(PLANS, {"page": 5})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "page" in response.json()["error"]["fields"]


def test_a_bad_token_does_not_stop_a_public_read(api, catalogue):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    assert api.get(PLANS).status_code == 200
    assert api.get(CATEGORIES).status_code == 200
    assert api.get(f"{PLANS}{catalogue.spark.id}/").status_code == 200


def test_a_logged_in_customer_sees_the_same_catalogue(customer_api, api, catalogue):
    assert customer_api.get(PLANS).content == api.get(PLANS).content


def test_writes_are_not_allowed(admin_api, catalogue):
    response = admin_api.post(PLANS, {"name": "x"}, format="json")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_image_urls_are_absolute(api, catalogue):
    catalogue.spark.image.name = "plans/spark.png"
    catalogue.spark.save(update_fields=["image"])

    response = api.get(f"{PLANS}{catalogue.spark.id}/")

    assert response.json()["image_url"] == "http://testserver/media/plans/spark.png"


def test_catalogue_bigger_than_a_page_is_paginated(api, db):
    category = factories.CategoryFactory()
    for _ in range(101):
        factories.PlanEntitlementFactory(category=category)

    first = api.get(PLANS).json()
    second = api.get(PLANS, {"page": 2}).json()

    assert first["count"] == 101
    assert len(first["results"]) == 100
    assert first["next"] == "http://testserver/api/v1/plans/?page=2"
    assert len(second["results"]) == 1
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/plans/"


# --- query counts on the database path ------------------------------------------------


def grow(n: int) -> None:
    categories = [factories.CategoryFactory() for _ in range(3)]
    for i in range(n):
        plan = factories.PlanFactory()
        factories.PlanEntitlementFactory(plan=plan, category=categories[i % 3])
        factories.PlanEntitlementFactory(plan=plan, category=categories[(i + 1) % 3])


@pytest.mark.parametrize("n", [2, 30])
def test_plans_list_takes_three_queries_however_many_plans(api, db, django_assert_num_queries, n):
    grow(n)

    with django_assert_num_queries(3):  # count, plans, entitlements with their categories
        response = api.get(PLANS)

    assert response.json()["count"] == n


@pytest.mark.parametrize("n", [2, 30])
def test_plans_list_by_category_takes_four_queries_however_many_plans(api, db, django_assert_num_queries, n):
    grow(n)
    slug = Category.objects.order_by("id").first().slug

    with django_assert_num_queries(4):  # category, count, plans, entitlements
        response = api.get(PLANS, {"category": slug})

    assert response.status_code == 200


@pytest.mark.parametrize("n", [2, 30])
def test_categories_list_takes_two_queries_however_many_categories(api, db, django_assert_num_queries, n):
    for _ in range(n):
        factories.CategoryFactory()

    with django_assert_num_queries(2):  # count, categories
        response = api.get(CATEGORIES)

    assert response.json()["count"] == n


def test_plan_detail_takes_two_queries(api, catalogue, django_assert_num_queries):
    with django_assert_num_queries(2):  # plan, entitlements with their categories
        api.get(f"{PLANS}{catalogue.home.id}/")


def test_category_detail_takes_one_query(api, catalogue, django_assert_num_queries):
    with django_assert_num_queries(1):
        api.get(f"{CATEGORIES}plumbing/")

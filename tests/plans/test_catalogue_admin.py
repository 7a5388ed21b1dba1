"""The catalogue in the web panel: every admin write is seen by the app on its very next request.

Most tests run with the database write guard switched off (`no_write_guard`), to prove
each admin path bumps the cache version by itself; one runs with it on.
"""

import json

import pytest

from server.plans.admin import format_money
from server.plans.models import Category, Plan
from tests import factories

PLANS = "/api/v1/plans/"
CATEGORIES = "/api/v1/categories/"


@pytest.fixture
def warm(api, catalogue, django_assert_num_queries):
    """The app has read plans/ and categories/, and both are now served from the cache."""
    for url in (PLANS, CATEGORIES):
        assert api.get(url).status_code == 200
        with django_assert_num_queries(0):
            api.get(url)
    return api


def names(response):
    return [item["name"] for item in response.json()["results"]]


def plan_form(plan: Plan, **changes) -> dict:
    """The change form as the browser posts it, including the entitlement inline."""
    entitlements = list(plan.entitlements.order_by("id"))
    data = {
        "name": plan.name,
        "slug": plan.slug,
        "description": plan.description,
        "price_amount": plan.price_amount,
        "currency": plan.currency,
        "validity_days": plan.validity_days,
        "inclusions": json.dumps(plan.inclusions),
        "sort_order": plan.sort_order,
        "entitlements-TOTAL_FORMS": len(entitlements),
        "entitlements-INITIAL_FORMS": len(entitlements),
        "entitlements-MIN_NUM_FORMS": 1,
        "entitlements-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    if plan.is_active:
        data["is_active"] = "on"
    if plan.is_featured:
        data["is_featured"] = "on"
    for i, entitlement in enumerate(entitlements):
        data[f"entitlements-{i}-id"] = entitlement.id
        data[f"entitlements-{i}-plan"] = plan.id
        data[f"entitlements-{i}-category"] = entitlement.category_id
        data[f"entitlements-{i}-visits"] = entitlement.visits
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


# --- add / change / inline --------------------------------------------------------------------------


def test_admin_change_of_a_plan_is_seen_on_the_next_request(
    warm, admin_client, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/plans/plan/{catalogue.spark.id}/change/", plan_form(catalogue.spark, price_amount=34900)
        )

    assert response.status_code == 302
    spark = warm.get(PLANS).json()["results"][1]
    assert spark["price"] == {"amount": 34900, "currency": "INR"}


def test_admin_change_is_seen_with_the_write_guard_on_too(
    warm, admin_client, catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/plans/plan/{catalogue.home.id}/change/", plan_form(catalogue.home, name="Home Care Max")
        )

    assert response.status_code == 302
    assert names(warm.get(PLANS))[0] == "Home Care Max"


def test_admin_inline_edit_of_entitlements_is_seen_on_the_next_request(
    warm, admin_client, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    data = plan_form(catalogue.spark, **{"entitlements-0-visits": 6})
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/plans/plan/{catalogue.spark.id}/change/", data)

    assert response.status_code == 302
    spark = warm.get(PLANS).json()["results"][1]
    assert spark["entitlements"] == [{"category": "electrical", "category_name": "Electrical", "visits": 6}]


def test_admin_add_of_a_plan_with_entitlements_is_seen_on_the_next_request(
    warm, admin_client, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    data = {
        "name": "Deep Clean",
        "slug": "deep-clean",
        "description": "Twice a year",
        "price_amount": 159900,
        "currency": "INR",
        "validity_days": 180,
        "inclusions": '["Eco products", "Two visits"]',
        "is_active": "on",
        "sort_order": 10,
        "entitlements-TOTAL_FORMS": 1,
        "entitlements-INITIAL_FORMS": 0,
        "entitlements-MIN_NUM_FORMS": 1,
        "entitlements-MAX_NUM_FORMS": 1000,
        "entitlements-0-category": catalogue.plumbing.id,
        "entitlements-0-visits": 2,
        "_save": "Save",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/plans/plan/add/", data)

    assert response.status_code == 302
    deep = warm.get(PLANS).json()["results"][-1]
    assert deep["name"] == "Deep Clean"
    assert deep["inclusions"] == ["Eco products", "Two visits"]
    assert deep["entitlements"] == [{"category": "plumbing", "category_name": "Plumbing", "visits": 2}]


def test_admin_add_of_a_category_is_seen_on_the_next_request(
    warm, admin_client, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    data = {"name": "Carpentry", "slug": "carpentry", "is_active": "on", "sort_order": 5, "_save": "Save"}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/plans/category/add/", data)

    assert response.status_code == 302
    assert names(warm.get(CATEGORIES)) == ["Plumbing", "Electrical", "Carpentry"]


def test_admin_list_editable_of_categories_is_seen_on_the_next_request(
    warm, admin_client, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    rows = [catalogue.plumbing, catalogue.electrical, catalogue.pest]  # the changelist's order
    data = {"form-TOTAL_FORMS": 3, "form-INITIAL_FORMS": 3, "_save": "Save"}
    new = {catalogue.plumbing.id: (9, True), catalogue.electrical.id: (1, True), catalogue.pest.id: (3, False)}
    for i, category in enumerate(rows):
        sort_order, is_active = new[category.id]
        data[f"form-{i}-id"] = category.id
        data[f"form-{i}-sort_order"] = sort_order
        if is_active:
            data[f"form-{i}-is_active"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/plans/category/", data)

    assert response.status_code == 302
    assert names(warm.get(CATEGORIES)) == ["Electrical", "Plumbing"]


# --- bulk actions and deletes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("deactivate", ["Bug Free"]),
        ("activate", ["Retired", "Home Care", "Spark", "Bug Free"]),
    ],
)
def test_admin_bulk_activation_is_seen_on_the_next_request(
    warm, admin_client, catalogue, no_write_guard, django_capture_on_commit_callbacks, action, expected
):
    selected = [catalogue.home.id, catalogue.spark.id, catalogue.retired.id] if action == "activate" else []
    if action == "deactivate":
        selected = [catalogue.home.id, catalogue.spark.id]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin/plans/plan/", {"action": action, "_selected_action": selected, "index": 0})

    assert response.status_code == 302
    assert names(warm.get(PLANS)) == expected


def test_admin_feature_action_is_seen_on_the_next_request(
    warm, admin_client, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/plans/plan/", {"action": "feature", "_selected_action": [catalogue.spark.id]})

    featured = [p["name"] for p in warm.get(PLANS).json()["results"] if p["is_featured"]]
    assert featured == ["Home Care", "Spark"]


def test_admin_delete_of_a_plan_is_seen_on_the_next_request(
    warm, admin_client, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/plans/plan/{catalogue.spark.id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert names(warm.get(PLANS)) == ["Home Care", "Bug Free"]


def test_admin_bulk_delete_is_seen_on_the_next_request(
    warm, admin_client, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/plans/plan/",
            {"action": "delete_selected", "_selected_action": [catalogue.home.id, catalogue.spark.id], "post": "yes"},
        )

    assert response.status_code == 302
    assert names(warm.get(PLANS)) == ["Bug Free"]


def test_admin_category_delete_is_seen_on_the_next_request(
    warm, admin_client, db, no_write_guard, django_capture_on_commit_callbacks
):
    unused = factories.CategoryFactory(name="Unused", slug="unused", sort_order=50)
    warm.get(CATEGORIES)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/plans/category/{unused.id}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert "Unused" not in names(warm.get(CATEGORIES))


# --- validation and display ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "inclusions",
    ['["Priority booking", ""]', '["  "]', '{"a": 1}', '"just text"', "[1, 2]"],
)
def test_admin_refuses_inclusions_that_are_not_a_list_of_non_empty_strings(
    warm, admin_client, catalogue, django_capture_on_commit_callbacks, inclusions
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(
            f"/admin/plans/plan/{catalogue.spark.id}/change/",
            plan_form(catalogue.spark, inclusions=inclusions, name="Changed"),
        )

    assert response.status_code == 200  # the form again, with the error
    assert "inclusions" in response.context["adminform"].form.errors
    catalogue.spark.refresh_from_db()
    assert catalogue.spark.name == "Spark"
    assert callbacks == []


def test_admin_refuses_a_currency_that_is_not_an_iso_code(admin_client, catalogue):
    response = admin_client.post(
        f"/admin/plans/plan/{catalogue.spark.id}/change/", plan_form(catalogue.spark, currency="R$")
    )

    assert response.status_code == 200
    assert "currency" in response.context["adminform"].form.errors
    catalogue.spark.refresh_from_db()
    assert catalogue.spark.currency == "INR"


def test_admin_upper_cases_the_currency(admin_client, catalogue):
    admin_client.post(f"/admin/plans/plan/{catalogue.spark.id}/change/", plan_form(catalogue.spark, currency="usd"))

    catalogue.spark.refresh_from_db()
    assert catalogue.spark.currency == "USD"


def test_admin_strips_inclusions(admin_client, catalogue):
    admin_client.post(
        f"/admin/plans/plan/{catalogue.spark.id}/change/",
        plan_form(catalogue.spark, inclusions='["  Priority booking  "]'),
    )

    catalogue.spark.refresh_from_db()
    assert catalogue.spark.inclusions == ["Priority booking"]


def test_admin_plan_needs_at_least_one_entitlement(admin_client, catalogue):
    data = plan_form(catalogue.spark, **{"entitlements-0-DELETE": "on"})

    response = admin_client.post(f"/admin/plans/plan/{catalogue.spark.id}/change/", data)

    assert response.status_code == 200
    assert catalogue.spark.entitlements.count() == 1


def test_admin_changelists_and_forms_render(admin_client, catalogue):
    plans = admin_client.get("/admin/plans/plan/")
    assert plans.status_code == 200
    assert "INR 999.00" in plans.content.decode()
    assert admin_client.get("/admin/plans/plan/", {"q": "spark"}).status_code == 200
    assert (
        admin_client.get("/admin/plans/plan/", {"entitlements__category__id__exact": catalogue.plumbing.id}).status_code
        == 200
    )
    assert admin_client.get("/admin/plans/plan/add/").status_code == 200
    assert admin_client.get(f"/admin/plans/plan/{catalogue.home.id}/change/").status_code == 200
    assert admin_client.get("/admin/plans/category/").status_code == 200
    assert admin_client.get("/admin/plans/category/", {"q": "plumb"}).status_code == 200
    assert admin_client.get("/admin/plans/category/add/").status_code == 200
    autocomplete = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "plans", "model_name": "planentitlement", "field_name": "category", "term": "plu"},
    )
    assert autocomplete.status_code == 200


def test_admin_changelist_query_count_is_flat(admin_client, catalogue, django_assert_max_num_queries):
    for _ in range(15):
        factories.PlanEntitlementFactory()

    with django_assert_max_num_queries(12):
        assert admin_client.get("/admin/plans/plan/").status_code == 200


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (49900, "INR", "INR 499.00"),
        (5, "USD", "USD 0.05"),
        (123456789, "EUR", "EUR 1,234,567.89"),
        (500, "JPY", "JPY 500"),
    ],
)
def test_price_is_shown_as_money(amount, currency, shown):
    assert format_money(amount, currency) == shown


def test_support_staff_cannot_edit_the_catalogue(client, support_user, catalogue):
    client.force_login(support_user)

    response = client.post(f"/admin/plans/plan/{catalogue.spark.id}/change/", plan_form(catalogue.spark, name="X"))

    assert response.status_code == 403
    assert Plan.objects.get(pk=catalogue.spark.id).name == "Spark"
    assert Category.objects.count() == 3

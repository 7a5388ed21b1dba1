"""Catalogue write services: validation refuses bad input and changes nothing; rows and bumps."""

import pytest

from server.core.errors import NotFound, ValidationFailed
from server.plans import cache as catalogue_cache
from server.plans.models import Category, Plan, PlanEntitlement
from server.plans.services import catalogue as services


def test_plan_create_with_entitlements_and_inclusions(catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        plan = services.plan_create(
            name="Fix It",
            slug="fix-it",
            price_amount=19900,
            currency="usd",
            validity_days=90,
            entitlements={catalogue.plumbing.id: 2, catalogue.electrical.id: 1},
            inclusions=[" Same-day visit "],
        )

    plan.refresh_from_db()
    assert plan.currency == "USD"
    assert plan.inclusions == ["Same-day visit"]
    assert dict(plan.entitlements.values_list("category__slug", "visits")) == {"plumbing": 2, "electrical": 1}
    assert catalogue_cache.bump_version in callbacks


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"inclusions": ["ok", ""]}, "inclusions"),
        ({"inclusions": ["x" * 201]}, "inclusions"),
        ({"inclusions": [3]}, "inclusions"),
        ({"entitlements": {}}, "entitlements"),
        ({"validity_days": 0}, "validity_days"),
        ({"price_amount": 0}, "price_amount"),  # no free plans: nothing to pay means no payment
        ({"slug": "not a slug"}, "slug"),
        ({"slug": "spark"}, "slug"),  # taken
    ],
)
def test_plan_create_refuses_bad_input_and_writes_nothing(catalogue, changes, field):
    before = Plan.objects.count(), PlanEntitlement.objects.count()
    args = {
        "name": "New",
        "slug": "new",
        "price_amount": 100,
        "validity_days": 30,
        "entitlements": {catalogue.plumbing.id: 1},
        **changes,
    }

    with pytest.raises(ValidationFailed) as raised:
        services.plan_create(**args)

    assert field in raised.value.fields
    assert raised.value.code == "validation_error"
    assert (Plan.objects.count(), PlanEntitlement.objects.count()) == before


def test_plan_create_with_an_unknown_category_writes_nothing(catalogue):
    before = Plan.objects.count()

    with pytest.raises(ValidationFailed) as raised:
        services.plan_create(name="N", slug="n", price_amount=1, validity_days=1, entitlements={999999: 1})

    assert "entitlements" in raised.value.fields
    assert Plan.objects.count() == before


def test_plan_update_changes_only_given_fields(catalogue):
    plan = services.plan_update(plan_id=catalogue.spark.id, price_amount=1000, is_featured=True)

    plan.refresh_from_db()
    assert (plan.name, plan.price_amount, plan.is_featured) == ("Spark", 1000, True)


def test_plan_update_of_a_missing_plan_is_not_found(db):
    with pytest.raises(NotFound):
        services.plan_update(plan_id=123456, name="x")


def test_plan_update_refuses_bad_inclusions_and_changes_nothing(catalogue):
    with pytest.raises(ValidationFailed):
        services.plan_update(plan_id=catalogue.spark.id, name="Changed", inclusions=["", "x"])

    catalogue.spark.refresh_from_db()
    assert catalogue.spark.name == "Spark"


def test_plan_set_entitlements_replaces_them(catalogue):
    services.plan_set_entitlements(
        plan_id=catalogue.home.id, entitlements={catalogue.plumbing.id: 5, catalogue.pest.id: 1}
    )

    visits = dict(catalogue.home.entitlements.values_list("category__slug", "visits"))
    assert visits == {"plumbing": 5, "pest-control": 1}


def test_plan_set_entitlements_refuses_zero_visits_and_changes_nothing(catalogue):
    with pytest.raises(ValidationFailed):
        services.plan_set_entitlements(plan_id=catalogue.home.id, entitlements={catalogue.plumbing.id: 0})

    assert catalogue.home.entitlements.count() == 2


def test_bulk_set_active_counts_only_real_changes_and_skips_the_bump_when_nothing_changed(
    catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        changed = services.plans_set_active(plan_ids=[catalogue.home.id, catalogue.retired.id], is_active=True)
    assert changed == 1
    assert catalogue_cache.bump_version in callbacks

    with django_capture_on_commit_callbacks() as callbacks:
        assert services.plans_set_active(plan_ids=[catalogue.home.id], is_active=True) == 0
    assert callbacks == []  # nothing written, nothing to invalidate


def test_category_create_and_update(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        category = services.category_create(name="Carpentry", slug="carpentry", sort_order=4)
        services.category_update(category_id=category.id, description="Doors and shelves", is_active=False)

    category.refresh_from_db()
    assert (category.description, category.is_active) == ("Doors and shelves", False)
    assert callbacks.count(catalogue_cache.bump_version) >= 2


def test_category_create_refuses_a_bad_icon_url(db):
    with pytest.raises(ValidationFailed) as raised:
        services.category_create(name="X", slug="x", icon_url="not a url")

    assert "icon_url" in raised.value.fields
    assert not Category.objects.exists()


def test_check_inclusions_accepts_an_empty_list():
    assert services.check_inclusions([]) == []

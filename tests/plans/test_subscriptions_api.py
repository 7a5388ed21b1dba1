"""GET subscriptions/ and GET subscriptions/{id}/ as the app uses them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from server.plans.services.subscriptions import subscription_revoke, visit_consume
from tests.fixtures.api import client_for
from tests.plans.subscriptions_support import paid_subscription, pending_order, plan_with_visits, settle_paid

pytestmark = pytest.mark.django_db

LIST = "/api/v1/subscriptions/"


def detail(pk) -> str:
    return f"/api/v1/subscriptions/{pk}/"


def test_customer_sees_own_subscription_with_plan_balances_and_days_left(customer):
    with freeze_time("2026-03-01T09:00:00Z"):
        plan, _ = plan_with_visits(plumbing=4, electrical=2)
        plan.validity_days = 30
        plan.save()
        order = pending_order(customer, [(plan, 1)])
        (subscription,) = settle_paid(order)
        visit_consume(subscription_id=subscription.pk, category_slug="plumbing", customer=customer)

    with freeze_time("2026-03-11T21:00:00Z"):  # 19.5 days left → 20
        response = client_for(customer).get(detail(subscription.pk))

    assert response.status_code == 200
    assert response.json() == {
        "id": subscription.pk,
        "plan": {"id": plan.pk, "name": plan.name, "slug": plan.slug},
        "order": order.pk,
        "status": "active",
        "starts_at": "2026-03-01T09:00:00Z",
        "expires_at": "2026-03-31T09:00:00Z",
        "days_left": 20,
        "balances": [
            {"category": "plumbing", "category_name": "Plumbing", "visits_total": 4, "visits_left": 3},
            {"category": "electrical", "category_name": "Electrical", "visits_total": 2, "visits_left": 2},
        ],
    }


def test_list_shows_only_my_subscriptions_newest_first(customer_api, customer, other_customer):
    older = paid_subscription(customer, paid_at=timezone.now() - timedelta(days=2))
    newer = paid_subscription(customer)
    paid_subscription(other_customer)

    response = customer_api.get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert [s["id"] for s in body["results"]] == [newer.pk, older.pk]
    assert body["count"] == 2
    assert body["next"] is None and body["previous"] is None


def test_subscription_past_expiry_reads_expired_before_the_nightly_job(customer):
    with freeze_time("2026-01-01T00:00:00Z"):
        subscription = paid_subscription(customer)  # 365 days

    with freeze_time("2027-01-01T00:00:00Z"):
        customer_api = client_for(customer)  # a token valid at that time
        one = customer_api.get(detail(subscription.pk)).json()
        listed = customer_api.get(LIST).json()["results"]

    assert (one["status"], one["days_left"]) == ("expired", 0)
    assert [s["status"] for s in listed] == ["expired"]


def test_status_filter_uses_the_effective_status(customer, admin_user):
    with freeze_time("2026-01-01T00:00:00Z"):
        lapsed = paid_subscription(customer)
    with freeze_time("2026-12-01T00:00:00Z"):
        active = paid_subscription(customer)
        revoked = paid_subscription(customer)
        subscription_revoke(subscription_id=revoked.pk, actor=admin_user, reason="refund")

    with freeze_time("2027-01-02T00:00:00Z"):
        customer_api = client_for(customer)
        by_status = {
            status: [s["id"] for s in customer_api.get(LIST, {"status": status}).json()["results"]]
            for status in ("active", "expired", "revoked")
        }

    assert by_status == {"active": [active.pk], "expired": [lapsed.pk], "revoked": [revoked.pk]}


def test_unknown_status_filter_is_a_validation_error(customer_api):
    response = customer_api.get(LIST, {"status": "lapsed"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "status" in response.json()["error"]["fields"]


def test_another_customers_subscription_is_not_found(other_customer_api, customer):
    subscription = paid_subscription(customer)

    response = other_customer_api.get(detail(subscription.pk))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_missing_subscription_is_not_found(customer_api):
    response = customer_api.get(detail(999999))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("client", ["professional_api", "admin_api", "support_api"])
def test_non_customers_may_not_list_subscriptions(request, client, customer):
    subscription = paid_subscription(customer)
    api = request.getfixturevalue(client)

    for url in (LIST, detail(subscription.pk)):
        response = api.get(url)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"


def test_anonymous_caller_must_authenticate(api):
    response = api.get(LIST)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_list_query_count_stays_flat_as_subscriptions_grow(customer_api, customer, django_assert_num_queries):
    paid_subscription(customer, plumbing=2, electrical=1)
    # user (auth), count, page, balances with categories (plans come joined)
    with django_assert_num_queries(4):
        assert len(customer_api.get(LIST).json()["results"]) == 1

    for _ in range(6):
        paid_subscription(customer, plumbing=2, electrical=1, cleaning=3)
    with django_assert_num_queries(4):
        assert len(customer_api.get(LIST).json()["results"]) == 7


def test_list_is_paginated(customer_api, customer):
    for _ in range(3):
        paid_subscription(customer)

    body = customer_api.get(LIST, {"page_size": 2}).json()

    assert len(body["results"]) == 2 and body["next"] is not None and body["count"] == 3


def test_detail_reads_in_a_fixed_number_of_queries(customer_api, customer, django_assert_num_queries):
    subscription = paid_subscription(customer, plumbing=2, electrical=1, cleaning=3)
    # user (auth), subscription with plan, balances with categories
    with django_assert_num_queries(3):
        assert len(customer_api.get(detail(subscription.pk)).json()["balances"]) == 3

"""The Django admin pages for subscriptions: find them, read them, revoke them."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from server.plans.models import Subscription, SubscriptionStatus
from tests.plans.subscriptions_support import paid_subscription

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/plans/subscription/"


@pytest.fixture
def admin_client_(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def support_client(support_user) -> Client:
    client = Client()
    client.force_login(support_user)
    return client


def test_admin_finds_a_subscription_by_customer_email_and_phone(admin_client_, customer, other_customer):
    mine = paid_subscription(customer)
    theirs = paid_subscription(other_customer)

    by_email = admin_client_.get(CHANGELIST, {"q": customer.email})
    by_phone = admin_client_.get(CHANGELIST, {"q": str(customer.phone)})

    for response in (by_email, by_phone):
        assert response.status_code == 200
        shown = {s.pk for s in response.context["cl"].result_list}
        assert shown == {mine.pk}
        assert theirs.pk not in shown


def test_admin_filters_by_effective_status_and_expiry(admin_client_, customer):
    lapsed = paid_subscription(customer, paid_at=timezone.now() - timedelta(days=400))
    active = paid_subscription(customer)

    expired = admin_client_.get(CHANGELIST, {"status": "expired"})
    current = admin_client_.get(CHANGELIST, {"status": "active", "expiry": "later"})

    assert [s.pk for s in expired.context["cl"].result_list] == [lapsed.pk]
    assert [s.pk for s in current.context["cl"].result_list] == [active.pk]


def test_admin_change_page_shows_balances_read_only(admin_client_, customer):
    subscription = paid_subscription(customer, plumbing=4)

    response = admin_client_.get(f"{CHANGELIST}{subscription.pk}/change/")

    assert response.status_code == 200
    assert b"Plumbing" in response.content
    assert admin_client_.get(f"{CHANGELIST}add/").status_code == 403


def test_admin_revoke_action_records_who_and_why(admin_client_, admin_user, customer):
    subscription = paid_subscription(customer)

    response = admin_client_.post(
        CHANGELIST, {"action": "revoke_selected", "_selected_action": [subscription.pk]}, follow=True
    )

    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == SubscriptionStatus.REVOKED
    assert subscription.revoked_by == admin_user
    assert admin_user.email in subscription.revoke_reason


def test_support_staff_cannot_revoke(support_client, customer):
    subscription = paid_subscription(customer)

    support_client.post(CHANGELIST, {"action": "revoke_selected", "_selected_action": [subscription.pk]})

    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.ACTIVE

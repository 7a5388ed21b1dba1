"""Subscriptions activated from paid orders, revoked, expired, and visits taken and given back."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time

from server.core.errors import NotFound
from server.payments.models import Order
from server.plans.errors import CategoryNotCovered, NoVisitsLeft, SubscriptionNotActive
from server.plans.models import PlanEntitlement, Subscription, SubscriptionBalance, SubscriptionStatus
from server.plans.selectors.subscriptions import order_visits_used, subscriptions_active_covering
from server.plans.services.subscriptions import (
    subscription_revoke,
    subscriptions_activate_for_order,
    subscriptions_expire_due,
    subscriptions_revoke_for_order,
    visit_consume,
    visit_release,
)
from server.plans.tasks import subscriptions_expire
from tests import factories
from tests.plans.subscriptions_support import paid_subscription, pending_order, plan_with_visits, settle_paid

pytestmark = pytest.mark.django_db


def balances_of(subscription) -> dict[str, tuple[int, int]]:
    return {
        b.category.slug: (b.visits_total, b.visits_left)
        for b in SubscriptionBalance.objects.filter(subscription=subscription).select_related("category")
    }


# --- activation -------------------------------------------------------------------------


def test_paid_order_activates_a_subscription_with_balances_from_the_snapshot(customer):
    plan, _ = plan_with_visits(plumbing=4, electrical=2)
    plan.validity_days = 30
    plan.save()
    order = pending_order(customer, [(plan, 1)])
    paid_at = timezone.now() - timedelta(minutes=3)

    (subscription,) = settle_paid(order, paid_at=paid_at)

    assert subscription.customer == customer
    assert subscription.plan == plan
    assert subscription.order_id == order.pk
    assert subscription.order_line == order.lines.get()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.starts_at == paid_at
    assert subscription.expires_at == paid_at + timedelta(days=30)
    assert balances_of(subscription) == {"plumbing": (4, 4), "electrical": (2, 2)}


def test_quantity_two_activates_two_independent_subscriptions(customer):
    plan, _ = plan_with_visits(plumbing=3)
    other_plan, _ = plan_with_visits(cleaning=1)
    order = pending_order(customer, [(plan, 2), (other_plan, 1)])

    subscriptions = settle_paid(order)

    assert len(subscriptions) == 3
    assert [s.plan_id for s in subscriptions].count(plan.pk) == 2
    assert len({s.pk for s in subscriptions}) == 3
    for subscription in subscriptions:
        expected = {"plumbing": (3, 3)} if subscription.plan_id == plan.pk else {"cleaning": (1, 1)}
        assert balances_of(subscription) == expected


def test_activating_twice_returns_the_same_subscriptions_and_creates_nothing(customer):
    plan, _ = plan_with_visits(plumbing=4)
    order = pending_order(customer, [(plan, 2)])
    first = settle_paid(order)

    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        second = subscriptions_activate_for_order(order=locked)

    assert [s.pk for s in second] == [s.pk for s in first]
    assert Subscription.objects.count() == 2
    assert SubscriptionBalance.objects.count() == 2


def test_plan_changes_after_checkout_do_not_change_what_was_bought(customer):
    plan, _ = plan_with_visits(plumbing=4)
    order = pending_order(customer, [(plan, 1)])
    # The admin edits the plan between checkout and payment: longer, more visits, a new category.
    plan.validity_days = 999
    plan.save()
    PlanEntitlement.objects.filter(plan=plan).update(visits=40)
    factories.PlanEntitlementFactory(plan=plan, visits=9)

    (subscription,) = settle_paid(order)

    assert subscription.expires_at - subscription.starts_at == timedelta(days=365)
    assert balances_of(subscription) == {"plumbing": (4, 4)}

    # ...and after activation, further edits leave the balances alone too.
    PlanEntitlement.objects.filter(plan=plan).delete()
    assert balances_of(subscription) == {"plumbing": (4, 4)}


@pytest.mark.django_db(transaction=True)
def test_activation_refuses_to_run_outside_the_callers_transaction(customer):
    plan, _ = plan_with_visits(plumbing=4)
    order = pending_order(customer, [(plan, 1)])
    settle_paid(order)
    Subscription.objects.all().delete()
    SubscriptionBalance.objects.all().delete()

    with pytest.raises(RuntimeError):
        subscriptions_activate_for_order(order=Order.objects.get(pk=order.pk))

    assert not Subscription.objects.exists()


def test_activation_refuses_an_unpaid_order(customer):
    plan, _ = plan_with_visits(plumbing=4)
    order = pending_order(customer, [(plan, 1)])

    with transaction.atomic(), pytest.raises(ValueError):
        subscriptions_activate_for_order(order=Order.objects.select_for_update().get(pk=order.pk))

    assert not Subscription.objects.exists()


# --- revoke -----------------------------------------------------------------------------


def test_revoking_an_order_marks_its_active_subscriptions_with_who_when_why(customer, admin_user):
    plan, _ = plan_with_visits(plumbing=4)
    order = pending_order(customer, [(plan, 2)])
    settle_paid(order)

    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        revoked = subscriptions_revoke_for_order(order=locked, actor=admin_user, reason="Full refund")

    assert len(revoked) == 2
    for subscription in Subscription.objects.filter(order=order):
        assert subscription.status == SubscriptionStatus.REVOKED
        assert subscription.revoked_by == admin_user
        assert subscription.revoke_reason == "Full refund"
        assert subscription.revoked_at is not None


def test_revoking_again_changes_nothing(customer, admin_user):
    subscription = paid_subscription(customer)
    with transaction.atomic():
        subscriptions_revoke_for_order(order=subscription.order, actor=admin_user, reason="first")
    first = Subscription.objects.get(pk=subscription.pk)

    with transaction.atomic():
        again = subscriptions_revoke_for_order(order=subscription.order, actor=admin_user, reason="second")

    assert again == []
    after = Subscription.objects.get(pk=subscription.pk)
    assert (after.revoked_at, after.revoke_reason) == (first.revoked_at, "first")


def test_revoke_leaves_an_already_lapsed_subscription_expired(customer, admin_user):
    subscription = paid_subscription(customer, paid_at=timezone.now() - timedelta(days=400))

    with transaction.atomic():
        revoked = subscriptions_revoke_for_order(order=subscription.order, actor=admin_user, reason="late refund")

    assert revoked == []
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.ACTIVE  # the job marks it
    assert subscriptions_expire_due() == 1
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.EXPIRED


@pytest.mark.django_db(transaction=True)
def test_revoke_for_order_requires_the_callers_transaction(customer, admin_user):
    subscription = paid_subscription(customer)
    with pytest.raises(RuntimeError):
        subscriptions_revoke_for_order(order=subscription.order, actor=admin_user, reason="x")
    assert Subscription.objects.get(pk=subscription.pk).status == SubscriptionStatus.ACTIVE


def test_single_subscription_revoke_records_the_actor(customer, admin_user):
    subscription = paid_subscription(customer)
    subscription_revoke(subscription_id=subscription.pk, actor=admin_user, reason="Fraud")
    subscription.refresh_from_db()
    assert (subscription.status, subscription.revoked_by, subscription.revoke_reason) == (
        SubscriptionStatus.REVOKED,
        admin_user,
        "Fraud",
    )


def test_order_visits_used_turns_true_once_a_visit_is_taken(customer):
    subscription = paid_subscription(customer, plumbing=2)
    assert order_visits_used(order=subscription.order) is False

    visit_consume(subscription_id=subscription.pk, category_slug="plumbing", customer=customer)

    assert order_visits_used(order=subscription.order) is True
    with transaction.atomic():
        assert order_visits_used(order=subscription.order, for_update=True) is True


# --- expiry -----------------------------------------------------------------------------


def test_nightly_job_marks_only_lapsed_subscriptions_expired_and_is_idempotent(customer, admin_user):
    with freeze_time("2026-01-01T10:00:00Z"):
        lapsing = paid_subscription(customer)  # 365 days: expires 2027-01-01T10:00Z
        revoked = paid_subscription(customer)
        subscription_revoke(subscription_id=revoked.pk, actor=admin_user, reason="x")
    with freeze_time("2026-06-01T10:00:00Z"):
        fresh = paid_subscription(customer)

    with freeze_time("2027-01-01T10:00:00Z"):
        assert subscriptions_expire.apply().get() == 1
        assert subscriptions_expire.apply().get() == 0

    statuses = dict(Subscription.objects.values_list("pk", "status"))
    assert statuses == {
        lapsing.pk: SubscriptionStatus.EXPIRED,
        revoked.pk: SubscriptionStatus.REVOKED,
        fresh.pk: SubscriptionStatus.ACTIVE,
    }


# --- visits -----------------------------------------------------------------------------


def test_consuming_a_visit_takes_one_from_that_category_only(customer):
    subscription = paid_subscription(customer, plumbing=2, electrical=1)

    balance = visit_consume(subscription_id=subscription.pk, category_slug="plumbing", customer=customer)

    assert (balance.category.slug, balance.visits_left) == ("plumbing", 1)
    assert balances_of(subscription) == {"plumbing": (2, 1), "electrical": (1, 1)}


def test_consuming_past_the_balance_is_no_visits_left_and_changes_nothing(customer):
    subscription = paid_subscription(customer, plumbing=1)
    visit_consume(subscription_id=subscription.pk, category_slug="plumbing", customer=customer)

    with pytest.raises(NoVisitsLeft) as err:
        visit_consume(subscription_id=subscription.pk, category_slug="plumbing", customer=customer)

    assert (err.value.code, err.value.status) == ("no_visits_left", 409)
    assert balances_of(subscription) == {"plumbing": (1, 0)}


def test_consuming_under_an_expired_subscription_is_refused_before_the_job_runs(customer):
    with freeze_time("2026-01-01T10:00:00Z"):
        subscription = paid_subscription(customer, plumbing=4)

    with freeze_time("2027-01-01T10:00:01Z"), pytest.raises(SubscriptionNotActive) as err:
        visit_consume(subscription_id=subscription.pk, category_slug="plumbing", customer=customer)

    assert (err.value.code, err.value.status) == ("subscription_not_active", 409)
    assert balances_of(subscription) == {"plumbing": (4, 4)}


def test_consuming_under_a_revoked_subscription_is_refused(customer, admin_user):
    subscription = paid_subscription(customer, plumbing=4)
    subscription_revoke(subscription_id=subscription.pk, actor=admin_user, reason="refund")

    with pytest.raises(SubscriptionNotActive):
        visit_consume(subscription_id=subscription.pk, category_slug="plumbing", customer=customer)

    assert balances_of(subscription) == {"plumbing": (4, 4)}


def test_consuming_a_category_the_plan_does_not_cover_is_refused(customer):
    subscription = paid_subscription(customer, plumbing=4)
    factories.CategoryFactory(slug="gardening")

    with pytest.raises(CategoryNotCovered) as err:
        visit_consume(subscription_id=subscription.pk, category_slug="gardening", customer=customer)

    assert (err.value.code, err.value.fields) == ("category_not_covered", {"category": [err.value.message]})
    assert balances_of(subscription) == {"plumbing": (4, 4)}


def test_consuming_under_another_customers_subscription_is_not_found(customer, other_customer):
    subscription = paid_subscription(customer, plumbing=4)

    with pytest.raises(NotFound):
        visit_consume(subscription_id=subscription.pk, category_slug="plumbing", customer=other_customer)

    assert balances_of(subscription) == {"plumbing": (4, 4)}


def test_releasing_gives_a_visit_back_but_never_above_the_total(customer):
    subscription = paid_subscription(customer, plumbing=2)
    balance = visit_consume(subscription_id=subscription.pk, category_slug="plumbing", customer=customer)

    assert visit_release(balance_id=balance.pk).visits_left == 2
    assert visit_release(balance_id=balance.pk).visits_left == 2  # a retried cancel mints nothing
    assert balances_of(subscription) == {"plumbing": (2, 2)}


def test_releasing_an_unknown_balance_is_not_found(db):
    with pytest.raises(NotFound):
        visit_release(balance_id=987654)


def test_active_covering_lists_only_usable_subscriptions_with_visits_for_the_category(customer, admin_user):
    usable = paid_subscription(customer, plumbing=1)
    empty = paid_subscription(customer, plumbing=1)
    visit_consume(subscription_id=empty.pk, category_slug="plumbing", customer=customer)
    revoked = paid_subscription(customer, plumbing=1)
    subscription_revoke(subscription_id=revoked.pk, actor=admin_user, reason="x")
    paid_subscription(customer, paid_at=timezone.now() - timedelta(days=366), plumbing=1)
    paid_subscription(customer, electrical=1)

    assert list(subscriptions_active_covering(customer=customer, category_slug="plumbing")) == [usable]

"""Checkout against a real local Stripe: order snapshot, PaymentIntent, Stripe failure and resume."""

from datetime import timedelta

import pytest
from django.utils import timezone

from server.payments import gateway
from server.payments.models import Cart, CartItem, Order, OrderStatus, StripeCustomer
from server.payments.services.checkout import tax_included
from tests.factories import CategoryFactory, PlanEntitlementFactory, PlanFactory
from tests.payments.factories import CartItemFactory

CHECKOUT = "/api/v1/checkout/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_down(settings):
    """Stripe unreachable: a closed port on loopback (the real client, a real connection error)."""
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    gateway._client_for.cache_clear()
    return settings


def fill_cart(customer, *specs):
    """specs: (price_amount, quantity) pairs; each becomes a plan with one entitlement."""
    cart, _ = Cart.objects.get_or_create(customer=customer)
    items = []
    for price, quantity in specs:
        plan = PlanFactory(price_amount=price, validity_days=180)
        PlanEntitlementFactory(plan=plan, category=CategoryFactory(slug=f"cat-{plan.pk}"), visits=3)
        items.append(CartItemFactory(cart=cart, plan=plan, quantity=quantity))
    return items


def test_checkout_snapshots_the_cart_into_an_order_and_a_payment_intent(customer, customer_api, stripe_client):
    first, second = fill_cart(customer, (49900, 2), (11800, 1))

    response = customer_api.post(CHECKOUT)

    assert response.status_code == 201, response.json()
    body = response.json()
    order = Order.objects.get()
    assert order.customer == customer
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert (order.subtotal_amount, order.total_amount) == (111600, 111600)
    assert order.tax_amount == tax_included(total=111600, rate_bp=1800) == 17024
    assert order.tax_rate_bp == 1800
    lines = list(order.lines.order_by("id"))
    assert [(ln.plan_id, ln.unit_amount, ln.quantity, ln.line_total) for ln in lines] == [
        (first.plan_id, 49900, 2, 99800),
        (second.plan_id, 11800, 1, 11800),
    ]
    entitlement = first.plan.entitlements.get()
    assert lines[0].entitlements == [
        {"category_id": entitlement.category_id, "category_slug": entitlement.category.slug, "visits": 3}
    ]
    assert lines[0].validity_days == 180
    assert not CartItem.objects.exists()

    assert body["order"]["id"] == order.pk
    assert body["order"]["status"] == "pending_payment"
    assert body["order"]["total"] == {"amount": 111600, "currency": "INR"}
    assert body["order"]["tax"] == {"amount": 17024, "currency": "INR"}
    assert body["order"]["receipt"] is None
    payment = body["payment"]
    assert payment["payment_intent"] == order.stripe_payment_intent_id
    assert payment["customer"] == StripeCustomer.objects.get(user=customer).customer_id
    assert payment["ephemeral_key"].startswith("ek_test_")
    assert payment["publishable_key"] == "pk_test_hearth_localstripe"

    intent = stripe_client.v1.payment_intents.retrieve(order.stripe_payment_intent_id)
    assert payment["client_secret"] == intent.client_secret
    assert intent.amount == 111600
    assert intent.currency == "inr"
    assert intent.customer == payment["customer"]
    assert intent.metadata["order_id"] == str(order.pk)


def test_tax_is_the_share_of_a_tax_inclusive_total():
    assert tax_included(total=11800, rate_bp=1800) == 1800
    assert tax_included(total=100, rate_bp=1800) == 15  # 15.25 rounds down
    assert tax_included(total=59, rate_bp=1800) == 9  # 9.0 exactly
    assert tax_included(total=1000, rate_bp=0) == 0


def test_tax_rate_comes_from_the_setting(customer, customer_api, settings):
    settings.TAX_RATE_BP = 500
    fill_cart(customer, (10500, 1))

    response = customer_api.post(CHECKOUT)

    assert response.status_code == 201
    assert response.json()["order"]["tax"] == {"amount": 500, "currency": "INR"}
    assert response.json()["order"]["tax_rate_bp"] == 500


def test_empty_cart_is_refused(customer_api):
    response = customer_api.post(CHECKOUT)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cart_empty"
    assert not Order.objects.exists()


def test_inactive_plan_in_the_cart_blocks_checkout_and_changes_nothing(customer, customer_api):
    (item,) = fill_cart(customer, (49900, 1))
    fill_cart(customer, (1000, 2))
    item.plan.is_active = False
    item.plan.save()

    response = customer_api.post(CHECKOUT)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "plan_not_active"
    assert not Order.objects.exists()
    assert CartItem.objects.count() == 2
    assert not StripeCustomer.objects.exists()


def test_order_keeps_its_snapshot_when_the_plan_changes_after_checkout(customer, customer_api):
    (item,) = fill_cart(customer, (49900, 1))
    order_id = customer_api.post(CHECKOUT).json()["order"]["id"]
    plan = item.plan
    plan.price_amount = 99900
    plan.name = "Renamed plan"
    plan.validity_days = 10
    plan.is_active = False
    plan.save()
    plan.entitlements.update(visits=99)

    body = customer_api.get(f"/api/v1/orders/{order_id}/").json()

    assert body["total"] == {"amount": 49900, "currency": "INR"}
    line = body["lines"][0]
    assert line["plan_name"] != "Renamed plan"
    assert line["unit_price"] == {"amount": 49900, "currency": "INR"}
    assert line["validity_days"] == 180
    assert Order.objects.get().lines.get().entitlements[0]["visits"] == 3


def test_stripe_failure_leaves_a_pending_order_without_intent_and_a_retry_resumes_it(
    customer, customer_api, stripe_down, stripe_server
):
    fill_cart(customer, (49900, 1))

    failed = customer_api.post(CHECKOUT, HTTP_IDEMPOTENCY_KEY="checkout-1")

    assert failed.status_code == 502
    assert failed.json()["error"]["code"] == "payment_provider_error"
    order = Order.objects.get()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.stripe_payment_intent_id is None
    assert not CartItem.objects.exists()

    stripe_down.STRIPE_API_BASE = stripe_server.base_url
    retried = customer_api.post(CHECKOUT, HTTP_IDEMPOTENCY_KEY="checkout-1")

    assert retried.status_code == 201, retried.json()
    assert "Idempotent-Replayed" not in retried.headers
    assert Order.objects.count() == 1
    order.refresh_from_db()
    assert retried.json()["order"]["id"] == order.pk
    assert retried.json()["payment"]["payment_intent"] == order.stripe_payment_intent_id is not None


def test_retry_without_a_key_after_stripe_failure_also_resumes_the_order(
    customer, customer_api, stripe_down, stripe_server
):
    fill_cart(customer, (49900, 1))
    assert customer_api.post(CHECKOUT).status_code == 502

    stripe_down.STRIPE_API_BASE = stripe_server.base_url
    retried = customer_api.post(CHECKOUT)

    assert retried.status_code == 201
    assert Order.objects.count() == 1
    assert retried.json()["order"]["id"] == Order.objects.get().pk


def test_lost_response_is_resumed_with_the_same_payment_intent(customer, customer_api):
    fill_cart(customer, (49900, 1))
    first = customer_api.post(CHECKOUT).json()

    again = customer_api.post(CHECKOUT)

    assert again.status_code == 201
    assert again.json()["order"]["id"] == first["order"]["id"]
    assert again.json()["payment"]["payment_intent"] == first["payment"]["payment_intent"]
    assert again.json()["payment"]["client_secret"] == first["payment"]["client_secret"]
    assert Order.objects.count() == 1


def test_paid_order_is_not_resumed(customer, customer_api, stripe_client):
    fill_cart(customer, (49900, 1))
    pi = customer_api.post(CHECKOUT).json()["payment"]["payment_intent"]
    stripe_client.v1.payment_intents.update(pi, params={"payment_method": "pm_card_visa"})
    stripe_client.v1.payment_intents.confirm(pi)

    response = customer_api.post(CHECKOUT)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cart_empty"


def test_new_cart_after_an_unpaid_order_makes_a_new_order(customer, customer_api):
    fill_cart(customer, (49900, 1))
    first = customer_api.post(CHECKOUT).json()["order"]["id"]
    fill_cart(customer, (1000, 1))

    second = customer_api.post(CHECKOUT)

    assert second.status_code == 201
    assert second.json()["order"]["id"] != first
    assert second.json()["order"]["total"] == {"amount": 1000, "currency": "INR"}


@pytest.mark.parametrize("client_fixture", ["professional_api", "admin_api", "support_api"])
def test_other_roles_may_not_check_out(request, client_fixture):
    response = request.getfixturevalue(client_fixture).post(CHECKOUT)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Order.objects.exists()


def test_anonymous_checkout_must_authenticate(api):
    assert api.post(CHECKOUT).status_code == 401


def test_prices_sent_by_the_client_are_ignored(customer, customer_api):
    fill_cart(customer, (49900, 1))

    response = customer_api.post(CHECKOUT, {"total": 1, "amount": 1, "items": [{"unit_price": 1}]})

    assert response.status_code == 201
    assert response.json()["order"]["total"] == {"amount": 49900, "currency": "INR"}
    assert Order.objects.get().total_amount == 49900


def test_cart_that_ended_up_in_two_currencies_is_refused(customer, customer_api):
    _, usd = fill_cart(customer, (49900, 1), (999, 1))
    usd.plan.currency = "USD"
    usd.plan.save()

    response = customer_api.post(CHECKOUT)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "cart_currency_mismatch"
    assert not Order.objects.exists()
    assert CartItem.objects.count() == 2


def test_stale_pending_order_is_not_resumed(customer, customer_api, stripe_down, stripe_server):
    fill_cart(customer, (49900, 1))
    assert customer_api.post(CHECKOUT).status_code == 502
    Order.objects.update(created_at=timezone.now() - timedelta(hours=25))
    stripe_down.STRIPE_API_BASE = stripe_server.base_url

    response = customer_api.post(CHECKOUT)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cart_empty"
    assert Order.objects.get().stripe_payment_intent_id is None

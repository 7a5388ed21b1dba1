"""Cart API: server-priced, customers only, 1-10 of a plan, inactive plans flagged."""

import pytest

from server.payments.models import Cart, CartItem
from tests.factories import PlanFactory
from tests.payments.factories import CartFactory, CartItemFactory

CART = "/api/v1/cart/"
ITEMS = "/api/v1/cart/items/"

pytestmark = pytest.mark.django_db


def item_url(item_id: int) -> str:
    return f"{ITEMS}{item_id}/"


def test_empty_cart_is_returned_without_creating_one(customer_api):
    response = customer_api.get(CART)

    assert response.status_code == 200
    assert response.json() == {
        "id": None,
        "items": [],
        "total": {"amount": 0, "currency": "INR"},
        "item_count": 0,
        "checkout_blocked_by": ["cart_empty"],
    }
    assert not Cart.objects.exists()


def test_adding_a_plan_returns_the_cart_priced_by_the_server(customer_api):
    plan = PlanFactory(price_amount=49900, currency="INR")

    response = customer_api.post(
        ITEMS, {"plan": plan.pk, "quantity": 2, "unit_price": 1, "price": {"amount": 1, "currency": "INR"}}
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    item = CartItem.objects.get()
    assert body["id"] == item.cart_id
    assert body["items"] == [
        {
            "id": item.pk,
            "plan": {
                "id": plan.pk,
                "name": plan.name,
                "slug": plan.slug,
                "price": {"amount": 49900, "currency": "INR"},
                "is_active": True,
            },
            "quantity": 2,
            "unit_price": {"amount": 49900, "currency": "INR"},
            "line_total": {"amount": 99800, "currency": "INR"},
            "available": True,
        }
    ]
    assert body["total"] == {"amount": 99800, "currency": "INR"}
    assert body["item_count"] == 2
    assert body["checkout_blocked_by"] == []


def test_quantity_defaults_to_one(customer_api):
    plan = PlanFactory()

    response = customer_api.post(ITEMS, {"plan": plan.pk})

    assert response.status_code == 201
    assert response.json()["items"][0]["quantity"] == 1


def test_adding_a_plan_already_in_the_cart_adds_to_its_quantity(customer_api):
    plan = PlanFactory()
    customer_api.post(ITEMS, {"plan": plan.pk, "quantity": 3})

    response = customer_api.post(ITEMS, {"plan": plan.pk, "quantity": 4})

    assert response.status_code == 201
    assert [i["quantity"] for i in response.json()["items"]] == [7]
    assert CartItem.objects.count() == 1


def test_adding_beyond_ten_of_one_plan_is_refused_and_changes_nothing(customer_api):
    plan = PlanFactory()
    customer_api.post(ITEMS, {"plan": plan.pk, "quantity": 8})

    response = customer_api.post(ITEMS, {"plan": plan.pk, "quantity": 3})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "quantity" in response.json()["error"]["fields"]
    assert CartItem.objects.get().quantity == 8


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"plan": 1, "quantity": 0}, "quantity"),
        ({"plan": 1, "quantity": 11}, "quantity"),
        ({"plan": 1, "quantity": "many"}, "quantity"),
        ({"quantity": 1}, "plan"),
        ({"plan": "x" * 300}, "plan"),
        ({"plan": 10**12}, "plan"),
        ({"plan": -3}, "plan"),
    ],
)
def test_bad_item_input_is_a_validation_error(customer_api, payload, field):
    PlanFactory()

    response = customer_api.post(ITEMS, payload)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert field in response.json()["error"]["fields"]
    assert not CartItem.objects.exists()


def test_unknown_plan_is_a_validation_error(customer_api):
    response = customer_api.post(ITEMS, {"plan": 987654, "quantity": 1})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["fields"] == {"plan": ["Unknown plan."]}
    assert not CartItem.objects.exists()


def test_inactive_plan_cannot_be_added(customer_api):
    plan = PlanFactory(is_active=False)

    response = customer_api.post(ITEMS, {"plan": plan.pk, "quantity": 1})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "plan_not_active"
    assert not CartItem.objects.exists()


def test_plan_in_another_currency_is_refused(customer_api):
    customer_api.post(ITEMS, {"plan": PlanFactory(currency="INR").pk, "quantity": 1})
    usd = PlanFactory(currency="USD", price_amount=999)

    response = customer_api.post(ITEMS, {"plan": usd.pk, "quantity": 1})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "cart_currency_mismatch"
    assert CartItem.objects.count() == 1


def test_plan_deactivated_after_adding_is_flagged_and_left_out_of_the_total(customer, customer_api):
    kept = CartItemFactory(cart__customer=customer, plan=PlanFactory(price_amount=1000), quantity=2)
    gone = CartItemFactory(cart=kept.cart, plan=PlanFactory(price_amount=5000, is_active=False), quantity=1)

    body = customer_api.get(CART).json()

    assert [(i["id"], i["available"]) for i in body["items"]] == [(kept.pk, True), (gone.pk, False)]
    assert body["total"] == {"amount": 2000, "currency": "INR"}
    assert body["item_count"] == 3
    assert body["checkout_blocked_by"] == ["plan_not_active"]


def test_cart_prices_follow_the_current_plan_price(customer, customer_api):
    item = CartItemFactory(cart__customer=customer, plan=PlanFactory(price_amount=1000), quantity=3)
    item.plan.price_amount = 1500
    item.plan.save()

    body = customer_api.get(CART).json()

    assert body["items"][0]["unit_price"] == {"amount": 1500, "currency": "INR"}
    assert body["total"] == {"amount": 4500, "currency": "INR"}


def test_patch_sets_the_quantity(customer, customer_api):
    item = CartItemFactory(cart__customer=customer, quantity=1)

    response = customer_api.patch(item_url(item.pk), {"quantity": 5})

    assert response.status_code == 200
    assert response.json()["items"][0]["quantity"] == 5
    item.refresh_from_db()
    assert item.quantity == 5


@pytest.mark.parametrize("quantity", [0, 11, None, "ten"])
def test_patch_with_bad_quantity_is_refused(customer, customer_api, quantity):
    item = CartItemFactory(cart__customer=customer, quantity=2)

    response = customer_api.patch(item_url(item.pk), {"quantity": quantity})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    item.refresh_from_db()
    assert item.quantity == 2


def test_raising_quantity_of_an_inactive_plan_is_refused_but_lowering_is_allowed(customer, customer_api):
    item = CartItemFactory(cart__customer=customer, plan=PlanFactory(is_active=False), quantity=3)

    raised = customer_api.patch(item_url(item.pk), {"quantity": 4})
    lowered = customer_api.patch(item_url(item.pk), {"quantity": 1})

    assert raised.status_code == 400
    assert raised.json()["error"]["code"] == "plan_not_active"
    assert lowered.status_code == 200
    item.refresh_from_db()
    assert item.quantity == 1


def test_delete_removes_the_item(customer, customer_api):
    item = CartItemFactory(cart__customer=customer)

    response = customer_api.delete(item_url(item.pk))

    assert response.status_code == 204
    assert not CartItem.objects.exists()
    assert customer_api.get(CART).json()["items"] == []


def test_another_customers_item_is_not_found(customer_api, other_customer):
    theirs = CartItemFactory(cart__customer=other_customer, quantity=2)
    CartFactory(customer=customer_api.user)

    patched = customer_api.patch(item_url(theirs.pk), {"quantity": 5})
    deleted = customer_api.delete(item_url(theirs.pk))

    assert patched.status_code == deleted.status_code == 404
    assert patched.json()["error"]["code"] == deleted.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.quantity == 2


def test_unknown_item_is_not_found(customer_api):
    assert customer_api.delete(item_url(424242)).status_code == 404


@pytest.mark.parametrize("client_fixture", ["professional_api", "admin_api", "support_api"])
def test_other_roles_may_not_use_the_cart(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    plan = PlanFactory()

    responses = [client.get(CART), client.post(ITEMS, {"plan": plan.pk}), client.delete(item_url(1))]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert {r.json()["error"]["code"] for r in responses} == {"permission_denied"}
    assert not CartItem.objects.exists()


def test_anonymous_caller_must_authenticate(api):
    response = api.get(CART)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_cart_read_query_count_stays_flat(customer, customer_api, django_assert_max_num_queries):
    cart = CartFactory(customer=customer)
    CartItemFactory(cart=cart)
    with django_assert_max_num_queries(4) as small:
        customer_api.get(CART)
    for _ in range(6):
        CartItemFactory(cart=cart)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = customer_api.get(CART)
    assert len(response.json()["items"]) == 7

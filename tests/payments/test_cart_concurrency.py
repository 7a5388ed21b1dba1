"""Cart edits of one customer serialise on the cart row (PostgreSQL, real threads)."""

import pytest

from server.payments.models import CartItem
from tests.concurrency import run_concurrently
from tests.factories import CustomerFactory, PlanFactory
from tests.fixtures.api import client_for


@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_never_exceed_ten_of_a_plan(postgres):
    customer = CustomerFactory()
    plan = PlanFactory()
    clients = [client_for(customer) for _ in range(4)]

    results = run_concurrently(4, lambda i: clients[i].post("/api/v1/cart/items/", {"plan": plan.pk, "quantity": 4}))

    assert sorted(r.status_code for r in results) == [201, 201, 400, 400]
    assert CartItem.objects.get().quantity == 8


@pytest.mark.django_db(transaction=True)
def test_first_adds_from_two_devices_make_one_cart_and_one_line(postgres):
    customer = CustomerFactory()
    plan = PlanFactory()
    clients = [client_for(customer) for _ in range(3)]

    results = run_concurrently(3, lambda i: clients[i].post("/api/v1/cart/items/", {"plan": plan.pk, "quantity": 1}))

    assert [r.status_code for r in results] == [201, 201, 201]
    item = CartItem.objects.get()
    assert item.quantity == 3

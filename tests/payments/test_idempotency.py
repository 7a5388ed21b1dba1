"""Idempotency-Key (server/core/idempotency.py): replay, conflict, 4xx stored, 5xx not, expiry, concurrency.

The generic behaviour is driven through a small view decorated exactly as production
views are; checkout's use of it (and real threads on PostgreSQL) at the end.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from server.core.errors import ApplicationError
from server.core.idempotency import IdempotentPostMixin, idempotent
from server.core.models import IdempotencyKey, IdempotencyState
from server.core.tasks import idempotency_keys_purge
from server.payments.models import Cart, Order
from tests.concurrency import run_concurrently
from tests.factories import CustomerFactory, PlanFactory
from tests.fixtures.api import client_for
from tests.payments.factories import CartItemFactory

CHECKOUT = "/api/v1/checkout/"


class Thing(APIView):
    """Counts how often its body really ran; answers with what the body asks for."""

    runs = 0
    gate: threading.Event | None = None
    entered: threading.Event | None = None

    @idempotent
    def post(self, request):
        type(self).runs += 1
        if type(self).entered is not None:
            type(self).entered.set()
        if type(self).gate is not None:
            type(self).gate.wait(10)
        wanted = request.data.get("status", 201)
        if wanted == 500:
            raise RuntimeError("boom")
        if wanted == 409:
            raise ApplicationError("no", code="thing_refused", status=409)
        return Response({"run": type(self).runs, "echo": request.data.get("echo")}, status=wanted)


@pytest.fixture(autouse=True)
def _reset_thing():
    Thing.runs = 0
    Thing.gate = None
    Thing.entered = None


def call(user, data=None, key: str | None = "k-1", path="/api/v1/things/"):
    factory = APIRequestFactory()
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    request = factory.post(path, data or {}, format="json", **headers)
    force_authenticate(request, user=user)
    response = Thing.as_view()(request)
    response.render()
    return response


@pytest.mark.django_db
class TestGeneric:
    def test_without_a_key_every_request_runs_and_nothing_is_stored(self, customer):
        assert call(customer, key=None).status_code == 201
        assert call(customer, key=None).status_code == 201
        assert Thing.runs == 2
        assert not IdempotencyKey.objects.exists()

    def test_same_key_and_body_replays_the_first_response_without_running_again(self, customer):
        first = call(customer, {"echo": "a"})
        second = call(customer, {"echo": "a"})

        assert first.status_code == second.status_code == 201
        assert first.data == second.data == {"run": 1, "echo": "a"}
        assert "Idempotent-Replayed" not in first.headers
        assert second.headers["Idempotent-Replayed"] == "true"
        assert Thing.runs == 1
        row = IdempotencyKey.objects.get()
        assert (row.state, row.response_status, row.method, row.path) == ("completed", 201, "POST", "/api/v1/things/")

    def test_key_order_of_json_fields_does_not_matter(self, customer):
        call(customer, {"echo": "a", "x": 1})
        assert call(customer, {"x": 1, "echo": "a"}).headers["Idempotent-Replayed"] == "true"

    def test_same_key_with_another_body_is_a_conflict(self, customer):
        call(customer, {"echo": "a"})

        response = call(customer, {"echo": "b"})

        assert response.status_code == 409
        assert response.data["error"]["code"] == "idempotency_conflict"
        assert Thing.runs == 1

    def test_same_key_on_another_path_is_a_conflict(self, customer):
        call(customer, {"echo": "a"})

        response = call(customer, {"echo": "a"}, path="/api/v1/other/")

        assert response.status_code == 409
        assert response.data["error"]["code"] == "idempotency_conflict"

    def test_keys_are_per_user(self, customer, other_customer):
        call(customer, {"echo": "a"})

        response = call(other_customer, {"echo": "b"})

        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response.headers
        assert Thing.runs == 2

    def test_a_4xx_answer_is_stored_and_replayed(self, customer):
        first = call(customer, {"status": 409})
        second = call(customer, {"status": 409})

        assert first.status_code == second.status_code == 409
        assert second.data["error"]["code"] == "thing_refused"
        assert second.headers["Idempotent-Replayed"] == "true"
        assert Thing.runs == 1

    def test_a_5xx_answer_is_not_stored_so_a_retry_runs_again(self, customer):
        failed = call(customer, {"status": 500})

        assert failed.status_code == 500
        assert failed.data["error"]["code"] == "internal_error"
        assert not IdempotencyKey.objects.exists()
        assert call(customer, {"status": 500}).status_code == 500
        assert Thing.runs == 2

    @pytest.mark.parametrize("key", ["", "   ", "x" * 256, "tab\there"])
    def test_invalid_key_is_a_validation_error_and_nothing_runs(self, customer, key):
        response = call(customer, key=key)

        assert response.status_code == 400
        assert response.data["error"]["code"] == "validation_error"
        assert "Idempotency-Key" in response.data["error"]["fields"]
        assert Thing.runs == 0
        assert not IdempotencyKey.objects.exists()

    def test_longest_allowed_key_works(self, customer):
        assert call(customer, key="k" * 255).status_code == 201
        assert call(customer, key="k" * 255).headers["Idempotent-Replayed"] == "true"

    def test_a_request_still_running_under_the_key_gets_in_progress(self, customer):
        call(customer)
        IdempotencyKey.objects.update(
            state=IdempotencyState.IN_PROGRESS, locked_until=timezone.now() + timedelta(minutes=1)
        )

        response = call(customer)

        assert response.status_code == 409
        assert response.data["error"]["code"] == "idempotency_in_progress"
        assert Thing.runs == 1

    def test_an_abandoned_claim_is_taken_over(self, customer):
        call(customer)
        IdempotencyKey.objects.update(
            state=IdempotencyState.IN_PROGRESS, locked_until=timezone.now() - timedelta(seconds=1)
        )

        response = call(customer)

        assert response.status_code == 201
        assert Thing.runs == 2
        assert IdempotencyKey.objects.get().state == IdempotencyState.COMPLETED

    def test_an_expired_key_can_be_used_again_even_with_another_body(self, customer):
        call(customer, {"echo": "a"})
        IdempotencyKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

        response = call(customer, {"echo": "b"})

        assert response.status_code == 201
        assert response.data == {"run": 2, "echo": "b"}

    def test_keys_expire_after_a_day_and_the_purge_task_deletes_only_expired_ones(self, customer, other_customer):
        call(customer)
        call(other_customer)
        row = IdempotencyKey.objects.get(user=customer)
        assert timedelta(hours=23, minutes=59) < row.expires_at - row.created_at <= timedelta(hours=24, seconds=5)
        IdempotencyKey.objects.filter(user=customer).update(expires_at=timezone.now() - timedelta(seconds=1))

        assert idempotency_keys_purge.apply().get() == 1  # the task body, run in-process

        assert list(IdempotencyKey.objects.values_list("user_id", flat=True)) == [other_customer.pk]


class MixedIn(IdempotentPostMixin, APIView):
    runs = 0

    def post(self, request):
        type(self).runs += 1
        return Response({"run": type(self).runs}, status=201)


@pytest.mark.django_db
def test_the_mixin_form_replays_like_the_decorator(customer):
    MixedIn.runs = 0

    def send():
        request = APIRequestFactory().post("/api/v1/mixed/", {"a": 1}, format="json", HTTP_IDEMPOTENCY_KEY="m")
        force_authenticate(request, user=customer)
        return MixedIn.as_view()(request)

    first, second = send(), send()

    assert first.data == second.data == {"run": 1}
    assert second.headers["Idempotent-Replayed"] == "true"
    assert MixedIn.runs == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_request_with_the_key_gets_in_progress_then_the_replay(postgres):
    customer = CustomerFactory()
    Thing.gate = threading.Event()
    Thing.entered = threading.Event()
    first: dict = {}

    def first_request():
        try:
            first["response"] = call(customer, {"echo": "a"})
        finally:
            connection.close()

    runner = threading.Thread(target=first_request)
    runner.start()
    assert Thing.entered.wait(10)

    during = run_concurrently(3, lambda i: call(customer, {"echo": "a"}))
    Thing.gate.set()
    runner.join(20)
    after = call(customer, {"echo": "a"})

    assert [r.status_code for r in during] == [409, 409, 409]
    assert {r.data["error"]["code"] for r in during} == {"idempotency_in_progress"}
    assert {r.headers["Retry-After"] for r in during} == {"1"}
    assert first["response"].status_code == 201
    assert after.status_code == 201
    assert after.headers["Idempotent-Replayed"] == "true"
    assert after.data == first["response"].data
    assert Thing.runs == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_with_one_key_create_one_order(postgres):
    customer = CustomerFactory()
    cart = Cart.objects.create(customer=customer)
    CartItemFactory(cart=cart, plan=PlanFactory(price_amount=49900), quantity=2)
    clients = [client_for(customer) for _ in range(6)]

    results = run_concurrently(6, lambda i: clients[i].post(CHECKOUT, HTTP_IDEMPOTENCY_KEY="same-key"))

    statuses = sorted(r.status_code for r in results)
    assert statuses.count(201) >= 1
    assert set(statuses) <= {201, 409}
    assert {r.json()["error"]["code"] for r in results if r.status_code == 409} <= {"idempotency_in_progress"}
    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert {r.json()["order"]["id"] for r in results if r.status_code == 201} == {order.pk}
    assert {r.json()["payment"]["payment_intent"] for r in results if r.status_code == 201} == {
        order.stripe_payment_intent_id
    }
    # The app retries a 409 with the same key and gets the first response.
    retry = clients[0].post(CHECKOUT, HTTP_IDEMPOTENCY_KEY="same-key")
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["order"]["id"] == order.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_without_a_key_still_make_one_order(postgres):
    customer = CustomerFactory()
    cart = Cart.objects.create(customer=customer)
    CartItemFactory(cart=cart, plan=PlanFactory(price_amount=49900), quantity=1)
    clients = [client_for(customer) for _ in range(4)]

    results = run_concurrently(4, lambda i: clients[i].post(CHECKOUT))

    assert [r.status_code for r in results] == [201, 201, 201, 201]
    order = Order.objects.get()
    assert {r.json()["order"]["id"] for r in results} == {order.pk}
    assert {r.json()["payment"]["payment_intent"] for r in results} == {order.stripe_payment_intent_id}


@pytest.mark.django_db
def test_checkout_retry_with_the_key_replays_and_creates_nothing(customer, customer_api, stripe_client):
    CartItemFactory(cart=Cart.objects.create(customer=customer), plan=PlanFactory(), quantity=1)

    first = customer_api.post(CHECKOUT, HTTP_IDEMPOTENCY_KEY="order-button-1")
    second = customer_api.post(CHECKOUT, HTTP_IDEMPOTENCY_KEY="order-button-1")

    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Order.objects.count() == 1
    customer_id = first.json()["payment"]["customer"]
    intents = stripe_client.v1.payment_intents.list(params={"limit": 100}).data
    assert len([pi for pi in intents if pi.customer == customer_id]) == 1


@pytest.mark.django_db
def test_checkout_key_reused_with_another_body_is_a_conflict(customer, customer_api):
    CartItemFactory(cart=Cart.objects.create(customer=customer), plan=PlanFactory(), quantity=1)
    customer_api.post(CHECKOUT, {}, HTTP_IDEMPOTENCY_KEY="k")
    CartItemFactory(cart=Cart.objects.get(customer=customer), plan=PlanFactory(), quantity=1)

    response = customer_api.post(CHECKOUT, {"note": "again"}, HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_conflict"
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_checkout_refusal_is_replayed_for_the_same_key(customer, customer_api):
    empty = customer_api.post(CHECKOUT, HTTP_IDEMPOTENCY_KEY="k-empty")
    CartItemFactory(cart=Cart.objects.create(customer=customer), plan=PlanFactory(), quantity=1)

    replay = customer_api.post(CHECKOUT, HTTP_IDEMPOTENCY_KEY="k-empty")
    fresh = customer_api.post(CHECKOUT, HTTP_IDEMPOTENCY_KEY="k-new")

    assert empty.status_code == replay.status_code == 400
    assert replay.json()["error"]["code"] == "cart_empty"
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert fresh.status_code == 201


@pytest.mark.django_db
def test_checkout_with_an_over_long_key_is_refused(customer, customer_api):
    CartItemFactory(cart=Cart.objects.create(customer=customer), plan=PlanFactory(), quantity=1)

    response = customer_api.post(CHECKOUT, HTTP_IDEMPOTENCY_KEY="x" * 256)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert not Order.objects.exists()

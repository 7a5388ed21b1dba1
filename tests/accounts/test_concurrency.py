"""Races that must have one winner, on PostgreSQL with real threads."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from server.accounts.models import Address, Device
from tests import factories
from tests.concurrency import run_concurrently
from tests.fixtures.api import client_for

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 6


def test_one_refresh_token_rotates_exactly_once_under_concurrent_refreshes(postgres):
    user = factories.CustomerFactory()
    refresh = str(RefreshToken.for_user(user))

    statuses = run_concurrently(
        THREADS, lambda i: APIClient().post("/api/v1/auth/token/refresh/", {"refresh": refresh}).status_code
    )

    assert sorted(statuses) == [200] + [401] * (THREADS - 1)
    assert OutstandingToken.objects.filter(user=user).count() == 2  # the original and one new pair


def test_concurrent_registrations_of_one_token_leave_one_device(postgres):
    users = [factories.CustomerFactory() for _ in range(THREADS)]

    statuses = run_concurrently(
        THREADS,
        lambda i: (
            client_for(users[i]).post("/api/v1/devices/", {"token": "one-phone", "platform": "android"}).status_code
        ),
    )

    assert set(statuses) <= {200, 201}
    assert Device.objects.filter(token="one-phone").count() == 1


def test_concurrent_default_addresses_leave_exactly_one_default(postgres):
    user = factories.CustomerFactory()
    body = {"line1": "1 Road", "city": "Pune", "postcode": "411001", "is_default": True}

    statuses = run_concurrently(
        THREADS, lambda i: client_for(user).post("/api/v1/me/addresses/", body, format="json").status_code
    )

    assert statuses == [201] * THREADS
    assert Address.objects.filter(user=user).count() == THREADS
    assert Address.objects.filter(user=user, is_default=True).count() == 1


def test_concurrent_registrations_of_one_email_create_one_account(postgres):
    from server.accounts.models import User

    def register(i):
        body = {"email": "Same@Example.com", "password": "plumb-the-depths-42", "full_name": f"P{i}"}
        return APIClient().post("/api/v1/auth/register/", body, format="json", REMOTE_ADDR=f"10.0.0.{i}").status_code

    statuses = run_concurrently(THREADS, register)

    assert sorted(statuses) == [201] + [400] * (THREADS - 1)
    assert User.objects.filter(email="same@example.com").count() == 1

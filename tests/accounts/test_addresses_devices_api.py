"""Saved addresses (own only, one default) and FCM device registration (a token moves)."""

import pytest

from server.accounts.models import Address, Device
from tests import factories
from tests.accounts.conftest import error_code, error_fields

pytestmark = pytest.mark.django_db

ADDRESSES = "/api/v1/me/addresses/"
DEVICES = "/api/v1/devices/"
HOME = {"label": "Home", "line1": "12 MG Road", "city": "Bengaluru", "postcode": "560001"}


def address_url(pk):
    return f"{ADDRESSES}{pk}/"


# --- addresses ------------------------------------------------------------------------------


def test_the_first_address_becomes_the_default(customer_api, customer):
    response = customer_api.post(ADDRESSES, {**HOME, "lat": "12.971599", "lng": "77.594566"}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_default"] is True
    assert body["lat"] == "12.971599"
    assert Address.objects.get(user=customer).line1 == "12 MG Road"


def test_a_new_default_unsets_the_previous_one(customer_api, customer):
    first = customer_api.post(ADDRESSES, HOME, format="json").json()
    second = customer_api.post(ADDRESSES, {**HOME, "label": "Office", "is_default": True}, format="json").json()

    assert second["is_default"] is True
    assert Address.objects.get(pk=first["id"]).is_default is False

    customer_api.patch(address_url(first["id"]), {"is_default": True}, format="json")
    assert list(Address.objects.filter(user=customer, is_default=True).values_list("pk", flat=True)) == [first["id"]]


def test_deleting_the_default_promotes_the_oldest_remaining(customer_api, customer):
    first = customer_api.post(ADDRESSES, HOME, format="json").json()
    second = customer_api.post(ADDRESSES, {**HOME, "label": "Office"}, format="json").json()

    assert customer_api.delete(address_url(first["id"])).status_code == 204
    assert Address.objects.get(pk=second["id"]).is_default is True


def test_list_shows_only_my_addresses_with_flat_queries(
    customer_api, customer, other_customer, django_assert_num_queries
):
    factories.AddressFactory(user=other_customer)
    factories.AddressFactory(user=customer, is_default=True)
    with django_assert_num_queries(3):  # user, count, page
        small = customer_api.get(ADDRESSES)
    factories.AddressFactory.create_batch(6, user=customer)
    with django_assert_num_queries(3):
        large = customer_api.get(ADDRESSES)

    assert len(small.json()["results"]) == 1
    assert len(large.json()["results"]) == 7
    assert {"next", "previous", "results"} <= set(large.json())


def test_patch_changes_my_address(customer_api, customer):
    address = factories.AddressFactory(user=customer)

    response = customer_api.patch(address_url(address.pk), {"city": "Mysuru", "line2": "Flat 4"}, format="json")

    assert response.status_code == 200
    address.refresh_from_db()
    assert (address.city, address.line2) == ("Mysuru", "Flat 4")


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_address_is_not_found_and_unchanged(customer_api, other_customer, method):
    theirs = factories.AddressFactory(user=other_customer, city="Chennai")

    response = getattr(customer_api, method)(address_url(theirs.pk), {"city": "Hacked"}, format="json")

    assert response.status_code == 404
    assert error_code(response) == "not_found"
    theirs.refresh_from_db()
    assert theirs.city == "Chennai"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"city": "Bengaluru", "postcode": "1"}, "line1"),
        ({**HOME, "line1": "x" * 201}, "line1"),
        ({**HOME, "postcode": "1" * 21}, "postcode"),
        ({**HOME, "lat": "91"}, "lat"),
        ({**HOME, "lng": "east"}, "lng"),
        ({**HOME, "is_default": "perhaps"}, "is_default"),
    ],
)
def test_bad_address_input_is_a_validation_error(customer_api, customer, body, field):
    response = customer_api.post(ADDRESSES, body, format="json")

    assert response.status_code == 400
    assert field in error_fields(response)
    assert not Address.objects.exists()


def test_the_address_book_is_capped(customer_api, customer):
    factories.AddressFactory.create_batch(20, user=customer)

    response = customer_api.post(ADDRESSES, HOME, format="json")

    assert response.status_code == 400
    assert error_code(response) == "address_limit_reached"
    assert Address.objects.filter(user=customer).count() == 20


# --- devices -------------------------------------------------------------------------------------


def test_registering_a_new_token_is_201_and_again_is_200(customer_api, customer):
    first = customer_api.post(DEVICES, {"token": "tok-1", "platform": "android"}, format="json")
    again = customer_api.post(DEVICES, {"token": "tok-1", "platform": "ios"}, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["platform"] == "ios"
    assert Device.objects.filter(user=customer).count() == 1


def test_a_token_registered_by_another_user_moves_to_me(customer_api, customer, other_customer):
    factories.DeviceFactory(user=other_customer, token="shared-phone")

    response = customer_api.post(DEVICES, {"token": "shared-phone", "platform": "android"}, format="json")

    assert response.status_code == 201
    assert Device.objects.get(token="shared-phone").user == customer


def test_a_user_has_many_devices_and_lists_only_their_own(
    customer_api, customer, other_customer, django_assert_num_queries
):
    factories.DeviceFactory.create_batch(2, user=customer)
    factories.DeviceFactory(user=other_customer)
    with django_assert_num_queries(3):
        response = customer_api.get(DEVICES)
    factories.DeviceFactory.create_batch(5, user=customer)
    with django_assert_num_queries(3):
        customer_api.get(DEVICES)

    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def test_i_can_drop_my_device(customer_api, customer):
    device = factories.DeviceFactory(user=customer)

    response = customer_api.delete(f"{DEVICES}{device.token}/")

    assert response.status_code == 204
    assert not Device.objects.filter(pk=device.pk).exists()


def test_dropping_another_users_device_is_not_found_and_deletes_nothing(customer_api, other_customer):
    theirs = factories.DeviceFactory(user=other_customer)

    response = customer_api.delete(f"{DEVICES}{theirs.token}/")

    assert response.status_code == 404
    assert error_code(response) == "not_found"
    assert Device.objects.filter(pk=theirs.pk, user=other_customer).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"token": "t", "platform": "symbian"}, "platform"),
        ({"token": "t" * 513, "platform": "android"}, "token"),
        ({"platform": "android"}, "token"),
        ({"token": ["t"], "platform": "android"}, "token"),
    ],
)
def test_bad_device_input_is_a_validation_error(customer_api, body, field):
    response = customer_api.post(DEVICES, body, format="json")

    assert response.status_code == 400
    assert field in error_fields(response)
    assert not Device.objects.exists()


def test_devices_need_a_login(api):
    response = api.post(DEVICES, {"token": "t", "platform": "android"}, format="json")
    assert response.status_code == 401
    assert not Device.objects.exists()

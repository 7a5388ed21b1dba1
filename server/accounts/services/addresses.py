"""A user's saved addresses; at most one is the default."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError

from server.accounts.errors import AddressInUse, AddressLimitReached
from server.accounts.models import Address, User
from server.core.errors import NotFound

MAX_ADDRESSES = 20
EDITABLE = ("label", "line1", "line2", "city", "postcode", "lat", "lng")


def _lock_owner(user: User) -> None:
    # Address writes of one user are serialised on the user row, so "one default" never races.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def _address_for_update(*, user: User, address_id: int) -> Address:
    address = Address.objects.select_for_update().filter(user=user, pk=address_id).first()
    if address is None:
        raise NotFound("No such address.")
    return address


def _unset_default(*, user: User, except_id: int | None = None) -> None:
    Address.objects.filter(user=user, is_default=True).exclude(pk=except_id).update(is_default=False)


def address_create(
    *,
    user: User,
    line1: str,
    city: str,
    postcode: str,
    label: str = "",
    line2: str = "",
    lat: Decimal | None = None,
    lng: Decimal | None = None,
    is_default: bool = False,
) -> Address:
    """Save an address. The first one is the default; is_default=True moves the default here."""
    with transaction.atomic():
        _lock_owner(user)
        count = Address.objects.filter(user=user).count()
        if count >= MAX_ADDRESSES:
            raise AddressLimitReached()
        is_default = is_default or count == 0
        if is_default:
            _unset_default(user=user)
        return Address.objects.create(
            user=user,
            label=label,
            line1=line1,
            line2=line2,
            city=city,
            postcode=postcode,
            lat=lat,
            lng=lng,
            is_default=is_default,
        )


def address_update(*, user: User, address_id: int, **changes) -> Address:
    """Change an own address (fields in EDITABLE, plus is_default=True to make it the default).

    Setting is_default=False on the default is ignored: pick another default instead.
    """
    with transaction.atomic():
        _lock_owner(user)
        address = _address_for_update(user=user, address_id=address_id)
        fields = []
        for name in EDITABLE:
            if name in changes:
                setattr(address, name, changes[name])
                fields.append(name)
        if changes.get("is_default") and not address.is_default:
            _unset_default(user=user, except_id=address.pk)
            address.is_default = True
            fields.append("is_default")
        if fields:
            address.save(update_fields=fields)
    return address


def address_delete(*, user: User, address_id: int) -> None:
    """Delete an own address; if it was the default, the oldest remaining one becomes the default."""
    with transaction.atomic():
        _lock_owner(user)
        address = _address_for_update(user=user, address_id=address_id)
        was_default = address.is_default
        try:
            with transaction.atomic():
                address.delete()
        except (ProtectedError, RestrictedError):
            raise AddressInUse()
        if was_default:
            successor = Address.objects.filter(user=user).order_by("id").first()
            if successor is not None:
                Address.objects.filter(pk=successor.pk).update(is_default=True)

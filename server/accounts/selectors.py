"""Reads of the accounts app. Other apps use these rather than querying accounts models."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from server.accounts.models import Address, Device, ProfessionalProfile, Role, User
from server.core.errors import NotFound


def user_get_for_login(*, email: str | None = None, phone: str | None = None) -> User | None:
    """The account an email (case-insensitive) or an E.164 phone names, active or not; None if none."""
    if email:
        return User.objects.filter(email__iexact=email.strip()).first()
    if phone:
        return User.objects.filter(phone=phone).first()
    return None


def user_get_profile(*, user_id: int) -> User:
    """A user with everything `me/` shows, in a fixed number of queries."""
    queryset = User.objects.select_related("professional_profile").prefetch_related(
        Prefetch("addresses", queryset=Address.objects.order_by("-is_default", "id")),
        "professional_profile__categories",
    )
    user = queryset.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def address_list(*, user: User) -> QuerySet[Address]:
    return Address.objects.filter(user=user).order_by("-is_default", "id")


def address_get(*, user: User, address_id: int) -> Address:
    """One of the user's addresses; 404 not_found for anyone else's, exactly as if it did not exist."""
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise NotFound("No such address.")
    return address


def address_default_for_user(*, user_id: int) -> Address | None:
    return Address.objects.filter(user_id=user_id, is_default=True).first()


def device_list(*, user: User) -> QuerySet[Device]:
    return Device.objects.filter(user=user).order_by("-last_seen_at", "id")


def device_tokens_for_users(*, user_ids: Iterable[int]) -> dict[int, list[str]]:
    """FCM tokens per user id (for push delivery); users without devices are absent."""
    out: dict[int, list[str]] = {}
    for user_id, token in Device.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "token"):
        out.setdefault(user_id, []).append(token)
    return out


def professional_get(*, user_id: int) -> ProfessionalProfile:
    """The professional profile of the professional whose *user id* is given; 404 otherwise."""
    profile = (
        ProfessionalProfile.objects.select_related("user", "approved_by")
        .prefetch_related("categories")
        .filter(user_id=user_id, user__role=Role.PROFESSIONAL)
        .first()
    )
    if profile is None:
        raise NotFound("No such professional.")
    return profile

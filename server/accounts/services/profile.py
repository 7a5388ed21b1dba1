"""The caller's own profile (`me/`): name, phone, avatar and the professional profile."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from server.accounts.models import ProfessionalProfile, Role, User
from server.core.errors import ValidationFailed


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()
PROFILE_FIELDS = ("city", "experience_years", "bio", "is_available")
PHONE_TAKEN = "An account with this phone number already exists."
AVATAR_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _delete_file(storage, name: str) -> None:
    if name:
        storage.delete(name)


def user_profile_update(
    *,
    user: User,
    full_name: str = UNSET,
    phone: str | None = UNSET,
    avatar: UploadedFile | None = UNSET,
    professional_profile: dict | None = None,
) -> User:
    """Apply the given changes (UNSET = leave alone) to the user's own profile.

    `avatar` must already be a validated image (see serializers.AvatarField); None removes it.
    `professional_profile` may hold city, experience_years, bio, is_available and categories
    (Category objects); approval and rating are never changed here. Role and email never change.
    """
    old_avatar = new_avatar = ""
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            fields: list[str] = []
            if full_name is not UNSET:
                locked.full_name = full_name
                fields.append("full_name")
            if phone is not UNSET:
                phone = phone or None
                if phone and User.objects.exclude(pk=locked.pk).filter(phone=phone).exists():
                    raise ValidationFailed(fields={"phone": [PHONE_TAKEN]})
                locked.phone = phone
                fields.append("phone")
            if professional_profile:
                if locked.role != Role.PROFESSIONAL:
                    raise ValidationFailed(fields={"professional_profile": ["Only professionals have one."]})
                _professional_profile_update(user=locked, **professional_profile)
            if avatar is not UNSET:
                old_avatar = locked.avatar.name or ""
                if avatar is None:
                    locked.avatar = ""
                else:
                    ext = AVATAR_EXTENSIONS.get(getattr(getattr(avatar, "image", None), "format", ""), "img")
                    locked.avatar.save(f"{uuid.uuid4().hex}.{ext}", avatar, save=False)
                    new_avatar = locked.avatar.name
                fields.append("avatar")
            if fields:
                try:
                    with transaction.atomic():
                        locked.save(update_fields=[*fields, "updated_at"])
                except IntegrityError:
                    raise ValidationFailed(fields={"phone": [PHONE_TAKEN]})
            if old_avatar and old_avatar != locked.avatar.name:
                transaction.on_commit(partial(_delete_file, locked.avatar.storage, old_avatar))
    except BaseException:
        if new_avatar:
            _delete_file(user.avatar.storage, new_avatar)  # nothing points at it now
        raise
    return locked


def _professional_profile_update(*, user: User, categories=UNSET, **changes) -> ProfessionalProfile:
    profile, _ = ProfessionalProfile.objects.select_for_update().get_or_create(user=user)
    fields = []
    for name in PROFILE_FIELDS:
        if name in changes:
            setattr(profile, name, changes[name])
            fields.append(name)
    if fields:
        profile.save(update_fields=fields)
    if categories is not UNSET:
        profile.categories.set(categories)
    return profile

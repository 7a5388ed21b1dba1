"""Registration, login, JWT refresh/logout, password reset/change and email verification."""

from __future__ import annotations

from functools import partial

from django.contrib.auth import password_validation
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from server.accounts import tasks
from server.accounts.errors import InvalidCredentials, InvalidToken, TokenNotValid
from server.accounts.models import ProfessionalProfile, Role, User
from server.accounts.selectors import user_get_for_login
from server.accounts.tokens import email_verification_tokens, password_reset_tokens, uid_decode
from server.core.errors import PermissionDenied, ValidationFailed

SELF_REGISTER_ROLES = (Role.CUSTOMER, Role.PROFESSIONAL)


def _password_problems(password: str, *, user: User) -> list[str]:
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        return list(exc.messages)
    return []


def _require_valid_password(password: str, *, user: User, field: str) -> None:
    problems = _password_problems(password, user=user)
    if problems:
        raise ValidationFailed(fields={field: problems})


def tokens_for_user(*, user: User) -> dict[str, str]:
    """A fresh {access, refresh} pair; the refresh token is recorded as outstanding."""
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def user_register(
    *,
    email: str,
    password: str,
    full_name: str,
    phone: str | None = None,
    role: str = Role.CUSTOMER,
) -> User:
    """Create a customer or an (unapproved) professional and email a verification link after commit.

    Nobody registers as admin or support. A duplicate email (any case) or phone, or a
    password the validators refuse, is a validation_error on that field.
    """
    if role not in SELF_REGISTER_ROLES:
        raise ValidationFailed(fields={"role": ["Choose customer or professional."]})
    email = User.objects.normalize_email(email).strip().lower()
    phone = phone or None
    errors: dict[str, list[str]] = {}
    problems = _password_problems(password, user=User(email=email, full_name=full_name, phone=phone))
    if problems:
        errors["password"] = problems
    errors.update(_identity_conflicts(email=email, phone=phone))
    if errors:
        raise ValidationFailed(fields=errors)
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, full_name=full_name, phone=phone, role=role)
            if role == Role.PROFESSIONAL:
                ProfessionalProfile.objects.create(user=user, is_approved=False)
            transaction.on_commit(partial(tasks.send_verification_email.delay, user.pk))
    except IntegrityError:
        # Lost a race with a concurrent registration of the same email or phone.
        raise ValidationFailed(
            fields=_identity_conflicts(email=email, phone=phone) or {"email": ["This account already exists."]}
        )
    return user


def _identity_conflicts(*, email: str, phone: str | None, exclude_user_id: int | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    others = User.objects.exclude(pk=exclude_user_id) if exclude_user_id else User.objects.all()
    if email and others.filter(email__iexact=email).exists():
        errors["email"] = ["An account with this email already exists."]
    if phone and others.filter(phone=phone).exists():
        errors["phone"] = ["An account with this phone number already exists."]
    return errors


def user_login(*, password: str, email: str | None = None, phone: str | None = None) -> dict[str, str]:
    """{access, refresh} for the account named by email or phone; InvalidCredentials otherwise.

    Unknown account, wrong password and inactive account get the same answer, and an
    unknown account still pays for one password hash so timing does not tell them apart.
    """
    user = user_get_for_login(email=email, phone=phone)
    if user is None:
        User().set_password(password)
        raise InvalidCredentials()
    if not user.check_password(password) or not user.is_active:
        raise InvalidCredentials()
    update_last_login(None, user)
    return tokens_for_user(user=user)


def _refresh_payload(raw: str) -> dict:
    """The payload of a correctly signed, unexpired refresh token; TokenNotValid otherwise."""
    try:
        payload = token_backend.decode(raw, verify=True)
    except TokenBackendError as exc:
        raise TokenNotValid(str(exc))
    if payload.get(jwt_settings.TOKEN_TYPE_CLAIM) != "refresh" or not payload.get(jwt_settings.JTI_CLAIM):
        raise TokenNotValid("Token has wrong type")
    if "exp" not in payload:
        raise TokenNotValid("Token has no expiry")
    return payload


def _outstanding_for_update(payload: dict) -> OutstandingToken:
    """The OutstandingToken row of this refresh token, locked (created first if it is missing)."""
    jti = payload[jwt_settings.JTI_CLAIM]
    user_id = User.objects.filter(pk=payload.get(jwt_settings.USER_ID_CLAIM)).values_list("pk", flat=True).first()
    OutstandingToken.objects.get_or_create(
        jti=jti,
        defaults={
            "user_id": user_id,
            "created_at": timezone.now(),
            "token": "",
            "expires_at": datetime_from_epoch(payload["exp"]),
        },
    )
    return OutstandingToken.objects.select_for_update().get(jti=jti)


def token_refresh(*, refresh: str) -> dict[str, str]:
    """Rotate a refresh token: blacklist it and return a new {access, refresh} pair.

    The outstanding-token row is locked, so two concurrent refreshes of one token give
    exactly one new pair; the other gets token_not_valid.
    """
    payload = _refresh_payload(refresh)
    with transaction.atomic():
        outstanding = _outstanding_for_update(payload)
        if BlacklistedToken.objects.filter(token=outstanding).exists():
            raise TokenNotValid("Token is blacklisted")
        user = User.objects.filter(pk=payload.get(jwt_settings.USER_ID_CLAIM), is_active=True).first()
        if user is None:
            raise TokenNotValid("No active account for this token")
        BlacklistedToken.objects.create(token=outstanding)
        return tokens_for_user(user=user)


def user_logout(*, user: User, refresh: str) -> None:
    """Blacklist the caller's refresh token. Logging out twice is fine; someone else's token is refused."""
    payload = _refresh_payload(refresh)
    if str(payload.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise InvalidToken("This refresh token does not belong to you.")
    with transaction.atomic():
        outstanding = _outstanding_for_update(payload)
        BlacklistedToken.objects.get_or_create(token=outstanding)


def user_tokens_revoke(*, user_id: int) -> int:
    """Blacklist every unexpired refresh token of a user (after a password reset or change)."""
    with transaction.atomic():
        ids = list(
            OutstandingToken.objects.filter(user_id=user_id, expires_at__gt=timezone.now())
            .filter(blacklistedtoken__isnull=True)
            .values_list("pk", flat=True)
        )
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token_id=pk) for pk in ids], ignore_conflicts=True, batch_size=500
        )
    return len(ids)


def password_reset_request(*, email: str) -> None:
    """Email a one-time reset link if an active account has this email. Says nothing either way."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).only("pk").first()
    if user is not None:
        transaction.on_commit(partial(tasks.send_password_reset_email.delay, user.pk))


def _user_for_token_update(uid: str) -> User | None:
    user_id = uid_decode(uid)
    if user_id is None:
        return None
    return User.objects.select_for_update().filter(pk=user_id, is_active=True).first()


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password from an emailed link; the link then stops working and every refresh token
    of the account is blacklisted. A wrong, used or expired link is invalid_token."""
    with transaction.atomic():
        user = _user_for_token_update(uid)
        if user is None or not password_reset_tokens.check_token(user, token):
            raise InvalidToken()
        _require_valid_password(new_password, user=user, field="new_password")
        user.set_password(new_password)
        # The email reached its owner, so the address is proven too.
        user.email_verified = True
        user.save(update_fields=["password", "email_verified", "updated_at"])
        user_tokens_revoke(user_id=user.pk)
    return user


def password_change(*, user: User, old_password: str, new_password: str) -> dict[str, str]:
    """Change the password; every other session is logged out and a fresh token pair is returned."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.check_password(old_password):
            raise ValidationFailed(fields={"old_password": ["Your current password is not correct."]})
        _require_valid_password(new_password, user=locked, field="new_password")
        locked.set_password(new_password)
        locked.save(update_fields=["password", "updated_at"])
        user_tokens_revoke(user_id=locked.pk)
        return tokens_for_user(user=locked)


def email_verify(*, uid: str, token: str) -> User:
    """Mark the email verified from an emailed link; the link is single-use (it hashes the flag)."""
    with transaction.atomic():
        user = _user_for_token_update(uid)
        if user is None or not email_verification_tokens.check_token(user, token):
            raise InvalidToken()
        user.email_verified = True
        user.save(update_fields=["email_verified", "updated_at"])
    return user


def email_verification_resend(*, user: User) -> bool:
    """Send a new verification link after commit; False (nothing sent) when already verified."""
    if not user.is_active:
        raise PermissionDenied()
    if user.email_verified:
        return False
    transaction.on_commit(partial(tasks.send_verification_email.delay, user.pk))
    return True

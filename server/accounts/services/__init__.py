"""Writes of the accounts app, one module per topic. Each service owns its transaction."""

from server.accounts.services.addresses import address_create, address_delete, address_update
from server.accounts.services.auth import (
    email_verification_resend,
    email_verify,
    password_change,
    password_reset_confirm,
    password_reset_request,
    token_refresh,
    tokens_for_user,
    user_login,
    user_logout,
    user_register,
    user_tokens_revoke,
)
from server.accounts.services.devices import device_delete, device_register, devices_delete_tokens
from server.accounts.services.professionals import professional_approve, professional_profile_ensure
from server.accounts.services.profile import UNSET, user_profile_update

__all__ = [
    "UNSET",
    "address_create",
    "address_delete",
    "address_update",
    "device_delete",
    "device_register",
    "devices_delete_tokens",
    "email_verification_resend",
    "email_verify",
    "password_change",
    "password_reset_confirm",
    "password_reset_request",
    "professional_approve",
    "professional_profile_ensure",
    "token_refresh",
    "tokens_for_user",
    "user_login",
    "user_logout",
    "user_profile_update",
    "user_register",
    "user_tokens_revoke",
]

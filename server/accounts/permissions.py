"""Role-based DRF permission classes shared by every app.

A role that may not use an endpoint gets `403 permission_denied`; an anonymous
caller gets `401 not_authenticated` (DRF decides that from the view's
authenticators, so these classes only answer "is this role allowed").

Use them alone (`permission_classes = [IsCustomer]`) — each one also requires an
authenticated, active user — or combine them with `|` / `&`.
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from server.accounts.models import STAFF_ROLES, Role


def _has_role(request, *roles: str) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)


class HasRole(BasePermission):
    """Base: allow an authenticated, active user whose role is in `roles`."""

    roles: tuple[str, ...] = ()
    message = "Your role may not use this endpoint."

    def has_permission(self, request, view) -> bool:
        return _has_role(request, *self.roles)


class IsCustomer(HasRole):
    roles = (Role.CUSTOMER,)
    message = "Only customers may use this endpoint."


class IsProfessional(HasRole):
    roles = (Role.PROFESSIONAL,)
    message = "Only professionals may use this endpoint."


class IsAdminRole(HasRole):
    """Role `admin` (not Django's is_staff: support staff are staff too)."""

    roles = (Role.ADMIN,)
    message = "Only admins may use this endpoint."


class IsStaffRole(HasRole):
    """Role `admin` or `support` — the web-panel people."""

    roles = tuple(STAFF_ROLES)
    message = "Only staff (admin or support) may use this endpoint."


class IsCustomerOrProfessional(HasRole):
    roles = (Role.CUSTOMER, Role.PROFESSIONAL)
    message = "Only customers and professionals may use this endpoint."

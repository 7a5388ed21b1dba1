"""Professional approval (used by the API and by the Django admin action)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from server.accounts.models import ProfessionalProfile, Role, User
from server.core.errors import NotFound, PermissionDenied


def professional_approve(*, professional_id: int, actor: User) -> ProfessionalProfile:
    """Approve a registered professional (`professional_id` is their user id) so they can take work.

    Precondition: `actor` has role admin (checked again here). Idempotent: approving an
    approved professional changes nothing and keeps the first approver and time.
    """
    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied("Only admins may approve professionals.")
    with transaction.atomic():
        profile = (
            ProfessionalProfile.objects.select_for_update()
            .filter(user_id=professional_id, user__role=Role.PROFESSIONAL)
            .first()
        )
        if profile is None:
            raise NotFound("No such professional.")
        if not profile.is_approved:
            profile.is_approved = True
            profile.approved_by = actor
            profile.approved_at = timezone.now()
            profile.save(update_fields=["is_approved", "approved_by", "approved_at"])
    return profile


def professional_profile_ensure(*, user: User) -> ProfessionalProfile | None:
    """Give a user with role professional their (unapproved) profile if they lack one; used when
    staff create a professional or change someone's role in the panel."""
    if user.role != Role.PROFESSIONAL:
        return None
    profile, _ = ProfessionalProfile.objects.get_or_create(user=user, defaults={"is_approved": False})
    return profile

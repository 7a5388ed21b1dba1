"""Writes to the catalogue. Each one owns its transaction and bumps the cache version on commit.

The Django admin edits through its own forms (server/plans/admin.py) and makes the same
explicit bump; these services are what code (seeding, operations scripts, other apps)
should call.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from server.core.errors import NotFound, ValidationFailed
from server.plans.cache import catalogue_changed
from server.plans.models import Category, Plan, PlanEntitlement

INCLUSION_MAX_LENGTH = 200
INCLUSIONS_MAX_ITEMS = 30


def check_inclusions(value: Any) -> list[str]:
    """Inclusions are a list of non-empty short strings; returns them stripped.

    Raises django's ValidationError so model forms (the admin) can use it as well.
    """
    if not isinstance(value, list):
        raise DjangoValidationError("Inclusions must be a list of strings.", code="invalid")
    if len(value) > INCLUSIONS_MAX_ITEMS:
        raise DjangoValidationError(f"At most {INCLUSIONS_MAX_ITEMS} inclusions.", code="invalid")
    cleaned = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            raise DjangoValidationError(f"Inclusion {index} must be a non-empty string.", code="invalid")
        if len(item.strip()) > INCLUSION_MAX_LENGTH:
            raise DjangoValidationError(
                f"Inclusion {index} is longer than {INCLUSION_MAX_LENGTH} characters.", code="invalid"
            )
        cleaned.append(item.strip())
    return cleaned


def _validated(obj: Category | Plan | PlanEntitlement, *, exclude: Sequence[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except DjangoValidationError as exc:
        raise ValidationFailed(fields=exc.message_dict)


def _apply(obj: Any, changes: Mapping[str, Any]) -> list[str]:
    fields = [name for name, value in changes.items() if value is not None]
    for name in fields:
        setattr(obj, name, changes[name])
    return fields


# --- categories -------------------------------------------------------------------------


def category_create(
    *,
    name: str,
    slug: str,
    description: str = "",
    icon_url: str = "",
    is_active: bool = True,
    sort_order: int = 0,
) -> Category:
    category = Category(
        name=name, slug=slug, description=description, icon_url=icon_url, is_active=is_active, sort_order=sort_order
    )
    _validated(category)
    with transaction.atomic():
        category.save()
        catalogue_changed()
    return category


def category_update(
    *,
    category_id: int,
    name: str | None = None,
    description: str | None = None,
    icon_url: str | None = None,
    is_active: bool | None = None,
    sort_order: int | None = None,
) -> Category:
    """Change the given fields (None leaves a field as it is)."""
    with transaction.atomic():
        category = Category.objects.select_for_update().filter(pk=category_id).first()
        if category is None:
            raise NotFound("No such category.")
        fields = _apply(
            category,
            {
                "name": name,
                "description": description,
                "icon_url": icon_url,
                "is_active": is_active,
                "sort_order": sort_order,
            },
        )
        _validated(category)
        category.save(update_fields=[*fields, "updated_at"])
        catalogue_changed()
    return category


def categories_set_active(*, category_ids: Iterable[int], is_active: bool) -> int:
    """Activate or deactivate many categories at once; returns how many rows changed."""
    return _bulk_set(Category, ids=category_ids, field="is_active", value=is_active)


# --- plans --------------------------------------------------------------------------------


def plan_create(
    *,
    name: str,
    slug: str,
    price_amount: int,
    validity_days: int,
    entitlements: Mapping[int, int],
    currency: str | None = None,
    description: str = "",
    inclusions: Sequence[str] = (),
    is_active: bool = True,
    is_featured: bool = False,
    sort_order: int = 0,
) -> Plan:
    """A plan with its visits per category (`entitlements`: category id -> visits)."""
    if not entitlements:
        raise ValidationFailed(fields={"entitlements": ["A plan needs visits in at least one category."]})
    try:
        cleaned_inclusions = check_inclusions(list(inclusions))
    except DjangoValidationError as exc:
        raise ValidationFailed(fields={"inclusions": exc.messages})
    plan = Plan(
        name=name,
        slug=slug,
        description=description,
        price_amount=price_amount,
        validity_days=validity_days,
        inclusions=cleaned_inclusions,
        is_active=is_active,
        is_featured=is_featured,
        sort_order=sort_order,
    )
    if currency is not None:
        plan.currency = currency.upper()
    _validated(plan)
    with transaction.atomic():
        plan.save()
        _replace_entitlements(plan=plan, entitlements=entitlements)
        catalogue_changed()
    return plan


def plan_update(
    *,
    plan_id: int,
    name: str | None = None,
    description: str | None = None,
    price_amount: int | None = None,
    validity_days: int | None = None,
    inclusions: Sequence[str] | None = None,
    is_active: bool | None = None,
    is_featured: bool | None = None,
    sort_order: int | None = None,
) -> Plan:
    """Change the given fields (None leaves a field as it is)."""
    if inclusions is not None:
        try:
            inclusions = check_inclusions(list(inclusions))
        except DjangoValidationError as exc:
            raise ValidationFailed(fields={"inclusions": exc.messages})
    with transaction.atomic():
        plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
        if plan is None:
            raise NotFound("No such plan.")
        fields = _apply(
            plan,
            {
                "name": name,
                "description": description,
                "price_amount": price_amount,
                "validity_days": validity_days,
                "inclusions": inclusions,
                "is_active": is_active,
                "is_featured": is_featured,
                "sort_order": sort_order,
            },
        )
        _validated(plan)
        plan.save(update_fields=[*fields, "updated_at"])
        catalogue_changed()
    return plan


def plan_set_entitlements(*, plan_id: int, entitlements: Mapping[int, int]) -> Plan:
    """Replace a plan's visits per category (category id -> visits)."""
    if not entitlements:
        raise ValidationFailed(fields={"entitlements": ["A plan needs visits in at least one category."]})
    with transaction.atomic():
        plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
        if plan is None:
            raise NotFound("No such plan.")
        _replace_entitlements(plan=plan, entitlements=entitlements)
        catalogue_changed()
    return plan


def plans_set_active(*, plan_ids: Iterable[int], is_active: bool) -> int:
    """Activate or deactivate many plans at once (the admin's bulk actions); returns the count."""
    return _bulk_set(Plan, ids=plan_ids, field="is_active", value=is_active)


def plans_set_featured(*, plan_ids: Iterable[int], is_featured: bool) -> int:
    return _bulk_set(Plan, ids=plan_ids, field="is_featured", value=is_featured)


# --- helpers -----------------------------------------------------------------------------


def _replace_entitlements(*, plan: Plan, entitlements: Mapping[int, int]) -> None:
    category_ids = sorted(entitlements)
    found = set(Category.objects.filter(pk__in=category_ids).values_list("pk", flat=True))
    missing = [cid for cid in category_ids if cid not in found]
    if missing:
        raise ValidationFailed(fields={"entitlements": [f"Unknown category id(s): {missing}."]})
    bad = [cid for cid in category_ids if not isinstance(entitlements[cid], int) or entitlements[cid] < 1]
    if bad:
        raise ValidationFailed(fields={"entitlements": [f"Visits must be a positive integer (categories {bad})."]})
    PlanEntitlement.objects.filter(plan=plan).exclude(category_id__in=category_ids).delete()
    existing = {e.category_id: e for e in PlanEntitlement.objects.filter(plan=plan)}
    for category_id in category_ids:
        visits = entitlements[category_id]
        current = existing.get(category_id)
        if current is None:
            PlanEntitlement.objects.create(plan=plan, category_id=category_id, visits=visits)
        elif current.visits != visits:
            current.visits = visits
            current.save(update_fields=["visits"])


def _bulk_set(model: type[Category] | type[Plan], *, ids: Iterable[int], field: str, value: bool) -> int:
    with transaction.atomic():
        # Lock in primary-key order so two bulk edits cannot deadlock.
        locked = list(
            model.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk").values_list("pk", flat=True)
        )
        changed = (
            model.objects.filter(pk__in=locked)
            .exclude(**{field: value})
            .update(**{field: value, "updated_at": timezone.now()})
        )
        if changed:
            catalogue_changed()
    return changed

"""Web panel for the catalogue (categories, plans, entitlements).

Every admin write path calls `catalogue_changed()` explicitly (save, inline save,
list_editable, delete, bulk delete, actions) so the app sees the change on its next
request. The database write guard in server/plans/cache.py is the safety net for any
path this file forgets; PlansConfig.ready() installs it in every process.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count

from server.plans.cache import catalogue_changed
from server.plans.models import Category, Plan, PlanEntitlement
from server.plans.services.catalogue import (
    check_inclusions,
    plans_set_active,
    plans_set_featured,
)

# ISO 4217 currencies without minor units; everything else shown with two decimals.
ZERO_DECIMAL_CURRENCIES = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV"}


def format_money(amount: int, currency: str) -> str:
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return f"{currency} {amount:,}"
    return f"{currency} {amount // 100:,}.{amount % 100:02d}"


class CatalogueAdminMixin:
    """Bumps the catalogue cache version after every write the admin makes."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        catalogue_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        catalogue_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        catalogue_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        catalogue_changed()


@admin.register(Category)
class CategoryAdmin(CatalogueAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "plan_count", "is_active", "sort_order", "updated_at"]
    list_display_links = ["name"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["sort_order", "name"]
    readonly_fields = ["created_at", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "slug", "description"]}),
        ("Display", {"fields": ["icon_url", "image", "sort_order", "is_active"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(plan_count=Count("entitlements", distinct=True))

    @admin.display(description="Plans", ordering="plan_count")
    def plan_count(self, obj: Category) -> int:
        return obj.plan_count


class PlanEntitlementInline(admin.TabularInline):
    model = PlanEntitlement
    extra = 1
    min_num = 1
    autocomplete_fields = ["category"]
    verbose_name = "visits in a category"
    verbose_name_plural = "visits per category (entitlements)"

    def get_formset(self, request, obj=None, **kwargs):
        # A plan without any entitlement would sell nothing; the admin has no validate_min option.
        kwargs.setdefault("validate_min", True)
        return super().get_formset(request, obj, **kwargs)


class PlanAdminForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = "__all__"  # noqa: DJ007 - the panel edits every plan field
        help_texts = {"inclusions": 'A JSON list of short texts, e.g. ["Priority booking", "No call-out fee"].'}

    def clean_currency(self):
        value = (self.cleaned_data.get("currency") or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise forms.ValidationError("Use a three-letter ISO 4217 code, e.g. INR.")
        return value

    def clean_inclusions(self):
        value = self.cleaned_data.get("inclusions")
        if value is None:
            value = []
        try:
            return check_inclusions(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages)


@admin.register(Plan)
class PlanAdmin(CatalogueAdminMixin, admin.ModelAdmin):
    form = PlanAdminForm
    inlines = [PlanEntitlementInline]
    list_display = ["name", "price", "validity_days", "categories", "is_active", "is_featured", "sort_order"]
    list_editable = ["sort_order"]
    list_filter = ["is_active", "is_featured", "entitlements__category"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["sort_order", "name"]
    readonly_fields = ["created_at", "updated_at"]
    actions = ["activate", "deactivate", "feature", "unfeature"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "description"]}),
        ("Price and validity", {"fields": ["price_amount", "currency", "validity_days"]}),
        ("In the app", {"fields": ["inclusions", "image", "is_active", "is_featured", "sort_order"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("entitlements__category")

    @admin.display(description="Price", ordering="price_amount")
    def price(self, obj: Plan) -> str:
        return format_money(obj.price_amount, obj.currency)

    @admin.display(description="Visits")
    def categories(self, obj: Plan) -> str:
        return ", ".join(f"{e.category.name} x{e.visits}" for e in obj.entitlements.all())

    def _bulk(self, request, queryset, service, label: str, **kwargs) -> None:
        changed = service(plan_ids=list(queryset.values_list("pk", flat=True)), **kwargs)
        self.message_user(request, f"{changed} plan(s) {label}.", messages.SUCCESS)

    @admin.action(description="Activate selected plans")
    def activate(self, request, queryset):
        self._bulk(request, queryset, plans_set_active, "activated", is_active=True)

    @admin.action(description="Deactivate selected plans")
    def deactivate(self, request, queryset):
        self._bulk(request, queryset, plans_set_active, "deactivated", is_active=False)

    @admin.action(description="Feature selected plans")
    def feature(self, request, queryset):
        self._bulk(request, queryset, plans_set_featured, "featured", is_featured=True)

    @admin.action(description="Stop featuring selected plans")
    def unfeature(self, request, queryset):
        self._bulk(request, queryset, plans_set_featured, "no longer featured", is_featured=False)


# Subscriptions (owned by the subscriptions helper): registered in their own module.
from server.plans import admin_subscriptions  # noqa: E402, F401

"""Django admin for subscriptions (imported at the end of server/plans/admin.py).

Read-only records of what was bought: balances inline, links to the customer and the
order; filters by effective status, plan and expiry; search by customer email/phone.
The one write is the "Revoke" action, through the same service the API uses.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html

from server.accounts.models import Role
from server.plans.models import Subscription, SubscriptionBalance, SubscriptionStatus
from server.plans.selectors.subscriptions import subscription_effective_status
from server.plans.services.subscriptions import subscription_revoke


def _admin_link(viewname: str, pk: int, text: str):
    try:
        return format_html('<a href="{}">{}</a>', reverse(viewname, args=[pk]), text)
    except NoReverseMatch:  # that model is not registered in the admin
        return text


class SubscriptionBalanceInline(admin.TabularInline):
    model = SubscriptionBalance
    fields = ("category", "visits_total", "visits_left")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EffectiveStatusFilter(admin.SimpleListFilter):
    """Status as customers see it: active rows past expiry count as expired."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return SubscriptionStatus.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == SubscriptionStatus.ACTIVE:
            return queryset.filter(status=SubscriptionStatus.ACTIVE, expires_at__gt=now)
        if value == SubscriptionStatus.EXPIRED:
            return queryset.filter(
                Q(status=SubscriptionStatus.EXPIRED) | Q(status=SubscriptionStatus.ACTIVE, expires_at__lte=now)
            )
        if value == SubscriptionStatus.REVOKED:
            return queryset.filter(status=SubscriptionStatus.REVOKED)
        return queryset


class ExpiryFilter(admin.SimpleListFilter):
    title = "expiry"
    parameter_name = "expiry"

    def lookups(self, request, model_admin):
        return (("past", "Already past"), ("7d", "Within 7 days"), ("30d", "Within 30 days"), ("later", "Later"))

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "past":
            return queryset.filter(expires_at__lte=now)
        if value == "7d":
            return queryset.filter(expires_at__gt=now, expires_at__lte=now + timedelta(days=7))
        if value == "30d":
            return queryset.filter(expires_at__gt=now, expires_at__lte=now + timedelta(days=30))
        if value == "later":
            return queryset.filter(expires_at__gt=now + timedelta(days=30))
        return queryset


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "plan", "effective_status", "starts_at", "expires_at", "order_link")
    list_select_related = ("customer", "plan")
    list_filter = (EffectiveStatusFilter, "plan", ExpiryFilter)
    search_fields = ("customer__email", "customer__phone", "customer__full_name", "=order__id")
    date_hierarchy = "starts_at"
    inlines = [SubscriptionBalanceInline]
    actions = ["revoke_selected"]
    fields = (
        "customer_link",
        "plan",
        "order_link",
        "order_line",
        "effective_status",
        "status",
        "starts_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False  # subscriptions come only from paid orders

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a record of money taken; revoke instead

    def has_revoke_permission(self, request) -> bool:
        return request.user.is_authenticated and request.user.role == Role.ADMIN

    @admin.display(description="status")
    def effective_status(self, obj: Subscription) -> str:
        return subscription_effective_status(obj)

    @admin.display(description="order")
    def order_link(self, obj: Subscription):
        return _admin_link("admin:payments_order_change", obj.order_id, f"Order {obj.order_id}")

    @admin.display(description="customer")
    def customer_link(self, obj: Subscription):
        return _admin_link("admin:accounts_user_change", obj.customer_id, str(obj.customer))

    @admin.action(description="Revoke selected subscriptions", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        revoked = 0
        for subscription in queryset.order_by("pk"):
            if subscription_effective_status(subscription) != SubscriptionStatus.ACTIVE:
                continue
            subscription_revoke(
                subscription_id=subscription.pk,
                actor=request.user,
                reason=f"Revoked in the admin panel by {request.user.email}",
            )
            revoked += 1
        self.message_user(request, f"{revoked} subscription(s) revoked.", messages.SUCCESS)

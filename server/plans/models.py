from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


class Category(models.Model):
    """A kind of service: plumbing, electrical, cleaning…"""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    icon_url = models.URLField(blank=True)
    image = models.ImageField(upload_to="categories/", blank=True)
    is_active = models.BooleanField(default=True)
    sort_order = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "name", "id"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class Plan(models.Model):
    """A service plan sold in the app: a price, a validity and visits per category."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    description = models.TextField(blank=True)
    price_amount = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Price in minor units (paise, cents), tax included; at least 1 (no free plans).",
    )
    currency = models.CharField(max_length=3, default=default_currency, help_text="ISO 4217 code, e.g. INR")
    validity_days = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    inclusions = models.JSONField(default=list, blank=True, help_text="List of short strings shown in the app.")
    image = models.ImageField(upload_to="plans/", blank=True)
    is_active = models.BooleanField(default=True)
    is_featured = models.BooleanField(default=False)
    sort_order = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(validity_days__gte=1), name="plans_plan_validity_positive"),
            models.CheckConstraint(condition=models.Q(price_amount__gte=1), name="plans_plan_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class PlanEntitlement(models.Model):
    """Visits a plan includes for one category."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="entitlements")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="entitlements")
    visits = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["category__sort_order", "category__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "category"], name="plans_entitlement_unique"),
            models.CheckConstraint(condition=models.Q(visits__gte=1), name="plans_entitlement_visits_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.visits} x {self.category}"


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class Subscription(models.Model):
    """One purchased plan unit: a validity window and visit balances per category.

    Created only by `subscriptions_activate_for_order` from the order line's snapshot,
    so later edits to the plan or its entitlements never change what was bought.
    The stored `status` may lag behind the clock (the nightly job marks expiry);
    readers use the effective status (see selectors/subscriptions.py).
    """

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    order = models.ForeignKey("payments.Order", on_delete=models.PROTECT, related_name="subscriptions")
    order_line = models.ForeignKey("payments.OrderLine", on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=10, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE)
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "status"], name="plans_sub_customer_status"),
            models.Index(fields=["expires_at"], name="plans_sub_expires_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("starts_at")), name="plans_subscription_window_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Subscription {self.pk} ({self.status})"


class SubscriptionBalance(models.Model):
    """Visits left for one category under one subscription."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="balances")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    visits_total = models.PositiveSmallIntegerField()
    visits_left = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["category__sort_order", "category__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "category"], name="plans_balance_unique_category"),
            models.CheckConstraint(
                condition=models.Q(visits_left__gte=0, visits_left__lte=models.F("visits_total")),
                name="plans_balance_visits_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visits_left}/{self.visits_total} x {self.category_id}"

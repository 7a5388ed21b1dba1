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
    price_amount = models.PositiveIntegerField(help_text="Price in minor units (paise, cents), tax included.")
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

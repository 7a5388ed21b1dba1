"""Output shapes of the public catalogue (API.md: categories and plans)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from server.plans.models import Category, Plan, PlanEntitlement


def _absolute_url(serializer: serializers.Serializer, file) -> str | None:
    if not file:
        return None
    request = serializer.context.get("request")
    return request.build_absolute_uri(file.url) if request is not None else file.url


class CategoryOutput(serializers.ModelSerializer):
    icon_url = serializers.SerializerMethodField(help_text="URL of the category icon, or null.")
    image_url = serializers.SerializerMethodField(help_text="Absolute URL of the category image, or null.")

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "icon_url", "image_url", "sort_order"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_icon_url(self, obj: Category) -> str | None:
        return obj.icon_url or None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image_url(self, obj: Category) -> str | None:
        return _absolute_url(self, obj.image)


class MoneyOutput(serializers.Serializer):
    amount = serializers.IntegerField(help_text="Integer minor units (paise, cents).")
    currency = serializers.CharField(help_text="ISO 4217 code.")


class EntitlementOutput(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="Category slug.")
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = PlanEntitlement
        fields = ["category", "category_name", "visits"]
        read_only_fields = fields


class PlanOutput(serializers.ModelSerializer):
    price = serializers.SerializerMethodField()
    entitlements = EntitlementOutput(many=True, read_only=True)
    inclusions = serializers.ListField(child=serializers.CharField(), read_only=True)
    image_url = serializers.SerializerMethodField(help_text="Absolute URL of the plan image, or null.")

    class Meta:
        model = Plan
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "price",
            "validity_days",
            "entitlements",
            "inclusions",
            "is_featured",
            "image_url",
            "sort_order",
        ]
        read_only_fields = fields

    @extend_schema_field(MoneyOutput)
    def get_price(self, obj: Plan) -> dict:
        return {"amount": obj.price_amount, "currency": obj.currency}

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image_url(self, obj: Plan) -> str | None:
        return _absolute_url(self, obj.image)


class PlanListQuery(serializers.Serializer):
    category = serializers.SlugField(
        max_length=100, required=False, help_text="Only plans with visits in this category (slug)."
    )

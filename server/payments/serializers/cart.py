"""Cart shapes. Input takes only a plan id and a quantity: prices always come from the server."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from server.payments.selectors.cart import MAX_QUANTITY
from server.payments.serializers.money import MoneySerializer, money


class CartItemAddInput(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="Plan id.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, default=1)


class CartItemUpdateInput(serializers.Serializer):
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class CartPlanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    price = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()

    @extend_schema_field(MoneySerializer)
    def get_price(self, plan) -> dict:
        return money(plan.price_amount, plan.currency)


class CartLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    plan = CartPlanOutput()
    quantity = serializers.IntegerField()
    unit_price = MoneySerializer()
    line_total = MoneySerializer()
    available = serializers.BooleanField(help_text="False when the plan is no longer on sale (blocks checkout).")


class CartOutput(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null until the first item is added.")
    items = CartLineOutput(many=True)
    total = MoneySerializer(help_text="Sum of the available items, computed by the server from current prices.")
    item_count = serializers.IntegerField(help_text="Number of plan units in the cart.")
    checkout_blocked_by = serializers.ListField(
        child=serializers.CharField(),
        help_text="Error codes checkout would refuse with now: cart_empty, plan_not_active, cart_currency_mismatch.",
    )

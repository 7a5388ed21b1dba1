"""Order and checkout shapes (read-only: orders are created by checkout, never by the client)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from server.payments.models import OrderStatus
from server.payments.selectors.orders import order_payment_method
from server.payments.serializers.money import MoneySerializer, money


class OrderLineOutput(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="plan_id", help_text="Plan id (the plan may have changed since).")
    plan_name = serializers.CharField()
    plan_slug = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.SerializerMethodField()
    line_total = serializers.SerializerMethodField()
    validity_days = serializers.IntegerField()

    @extend_schema_field(MoneySerializer)
    def get_unit_price(self, line) -> dict:
        return money(line.unit_amount, line.currency)

    @extend_schema_field(MoneySerializer)
    def get_line_total(self, line) -> dict:
        return money(line.line_total, line.currency)


class PaymentMethodOutput(serializers.Serializer):
    brand = serializers.CharField()
    last4 = serializers.CharField()


class ReceiptOutput(serializers.Serializer):
    invoice_number = serializers.CharField()
    lines = OrderLineOutput(many=True)
    subtotal = MoneySerializer()
    tax = MoneySerializer()
    tax_rate_bp = serializers.IntegerField(help_text="Tax rate in basis points (1800 = 18%); prices include tax.")
    total = MoneySerializer()
    paid_at = serializers.DateTimeField()
    payment_method = PaymentMethodOutput(allow_null=True)


class OrderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    lines = OrderLineOutput(many=True)
    subtotal = serializers.SerializerMethodField()
    tax = serializers.SerializerMethodField()
    tax_rate_bp = serializers.IntegerField()
    total = serializers.SerializerMethodField()
    amount_refunded = serializers.SerializerMethodField()
    invoice_number = serializers.CharField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    receipt = serializers.SerializerMethodField(help_text="Present once the order has been paid; null before.")

    @extend_schema_field(MoneySerializer)
    def get_subtotal(self, order) -> dict:
        return money(order.subtotal_amount, order.currency)

    @extend_schema_field(MoneySerializer)
    def get_tax(self, order) -> dict:
        return money(order.tax_amount, order.currency)

    @extend_schema_field(MoneySerializer)
    def get_total(self, order) -> dict:
        return money(order.total_amount, order.currency)

    @extend_schema_field(MoneySerializer)
    def get_amount_refunded(self, order) -> dict:
        return money(order.amount_refunded, order.currency)

    @extend_schema_field(ReceiptOutput(allow_null=True))
    def get_receipt(self, order) -> dict | None:
        if order.paid_at is None:
            return None
        lines = list(order.lines.all())
        return ReceiptOutput(
            {
                "invoice_number": order.invoice_number,
                "lines": lines,
                "subtotal": money(order.subtotal_amount, order.currency),
                "tax": money(order.tax_amount, order.currency),
                "tax_rate_bp": order.tax_rate_bp,
                "total": money(order.total_amount, order.currency),
                "paid_at": order.paid_at,
                "payment_method": order_payment_method(order=order),
            }
        ).data


class PaymentSheetOutput(serializers.Serializer):
    """Everything Stripe's PaymentSheet needs to take the payment on the phone."""

    payment_intent = serializers.CharField(source="payment_intent_id", help_text="PaymentIntent id.")
    client_secret = serializers.CharField(help_text="PaymentIntent client secret.")
    customer = serializers.CharField(source="customer_id", help_text="Stripe Customer id.")
    ephemeral_key = serializers.CharField(help_text="Ephemeral key secret for the customer.")
    publishable_key = serializers.CharField()


class CheckoutOutput(serializers.Serializer):
    order = OrderOutput()
    payment = PaymentSheetOutput(source="*")

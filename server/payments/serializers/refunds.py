"""Shapes of POST admin/orders/{id}/refund/."""

from rest_framework import serializers

from server.payments.models import Refund


class RefundInput(serializers.Serializer):
    amount = serializers.IntegerField(
        required=False, min_value=1, max_value=100_000_000, help_text="Minor units; omit for a full refund."
    )
    reason = serializers.CharField(max_length=500, help_text="Why (kept with the refund).")
    force = serializers.BooleanField(
        required=False, default=False, help_text="Refund in full even though visits were already used."
    )


class RefundOutput(serializers.ModelSerializer):
    order_status = serializers.CharField(source="order.status", read_only=True)
    order_amount_refunded = serializers.IntegerField(source="order.amount_refunded", read_only=True)
    requested_by = serializers.IntegerField(source="requested_by_id", read_only=True, allow_null=True)

    class Meta:
        model = Refund
        fields = [
            "id",
            "order",
            "stripe_refund_id",
            "amount",
            "currency",
            "status",
            "reason",
            "forced",
            "requested_by",
            "created_at",
            "order_status",
            "order_amount_refunded",
        ]
        read_only_fields = fields

"""POST admin/orders/{id}/refund/ — admin-only refunds through Stripe."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from server.accounts.permissions import IsAdminRole
from server.payments.serializers.refunds import RefundInput, RefundOutput
from server.payments.services.refunds import order_refund


class AdminOrderRefundView(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(
        operation_id="admin_orders_refund",
        summary="Refund an order (admin)",
        description=(
            "Full (no amount) or partial refund through Stripe; the order becomes refunded or "
            "partially_refunded. A full refund revokes the order's subscriptions; if visits were already "
            "used it is refused with 409 refund_not_allowed unless force=true. Not paid → refund_not_allowed."
        ),
        request=RefundInput,
        responses={
            201: RefundOutput,
            400: OpenApiResponse(description="validation_error"),
            403: OpenApiResponse(description="permission_denied (not an admin)"),
            404: OpenApiResponse(description="not_found"),
            409: OpenApiResponse(description="refund_not_allowed"),
            502: OpenApiResponse(description="payment_provider_error"),
        },
        tags=["admin"],
    )
    def post(self, request, pk: int):
        data = RefundInput(data=request.data)
        data.is_valid(raise_exception=True)
        refund = order_refund(order_id=pk, actor=request.user, **data.validated_data)
        return Response(RefundOutput(refund).data, status=201)


urlpatterns = [
    path("admin/orders/<int:pk>/refund/", AdminOrderRefundView.as_view(), name="admin-order-refund"),
]

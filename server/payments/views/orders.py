"""The customer's orders, and `confirm/` (the app's nudge to settle after PaymentSheet)."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from server.accounts.permissions import IsCustomer
from server.payments.models import Order
from server.payments.selectors.orders import order_get_for_customer, order_list_for_customer
from server.payments.serializers.orders import OrderOutput
from server.payments.services.settlement import order_settle


class OrderListView(GenericAPIView):
    permission_classes = [IsCustomer]
    serializer_class = OrderOutput

    queryset = Order.objects.none()  # for the schema; get_queryset() is per customer

    def get_queryset(self):
        return order_list_for_customer(customer=self.request.user)

    @extend_schema(operation_id="orders_list", responses={200: OrderOutput(many=True)}, tags=["orders"])
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(OrderOutput(page, many=True).data)


class OrderDetailView(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(operation_id="orders_retrieve", responses={200: OrderOutput}, tags=["orders"])
    def get(self, request, order_id: int):
        return Response(OrderOutput(order_get_for_customer(customer=request.user, order_id=order_id)).data)


class OrderConfirmView(APIView):
    permission_classes = [IsCustomer]
    schema_extra_errors = {502: "payment_provider_error: Stripe could not be asked; retry."}

    @extend_schema(
        operation_id="orders_confirm",
        request=None,
        responses={200: OrderOutput},
        tags=["orders"],
        description="Call when PaymentSheet returns: the server asks Stripe and settles the order "
        "(same effect as the webhook, exactly once). Returns the order as it is now.",
    )
    def post(self, request, order_id: int):
        order = order_get_for_customer(customer=request.user, order_id=order_id)  # 404 if not theirs
        order_settle(order_id=order.pk, source="confirm")
        return Response(OrderOutput(order_get_for_customer(customer=request.user, order_id=order.pk)).data)


urlpatterns = [
    path("orders/", OrderListView.as_view(), name="orders"),
    path("orders/<int:order_id>/", OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:order_id>/confirm/", OrderConfirmView.as_view(), name="order-confirm"),
]

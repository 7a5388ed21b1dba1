"""Cart and checkout endpoints (customers only)."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from server.accounts.permissions import IsCustomer
from server.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from server.core.idempotency import idempotent
from server.payments.selectors.cart import cart_summary_for_customer
from server.payments.serializers.cart import CartItemAddInput, CartItemUpdateInput, CartOutput
from server.payments.serializers.orders import CheckoutOutput
from server.payments.services.cart import cart_item_add, cart_item_remove, cart_item_update
from server.payments.services.checkout import checkout_start


def _cart_response(request, status_code: int = status.HTTP_200_OK) -> Response:
    return Response(CartOutput(cart_summary_for_customer(customer=request.user)).data, status=status_code)


class CartView(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(operation_id="cart_retrieve", responses={200: CartOutput}, tags=["cart"])
    def get(self, request):
        return _cart_response(request)


class CartItemsView(APIView):
    permission_classes = [IsCustomer]
    schema_extra_errors = {409: "cart_currency_mismatch: the cart holds plans priced in another currency."}

    @extend_schema(
        operation_id="cart_items_create",
        request=CartItemAddInput,
        responses={201: CartOutput},
        tags=["cart"],
        description="Add a plan (or more of it). Returns the whole cart. "
        "400 plan_not_active for a plan not on sale; validation_error above 10 of one plan.",
    )
    def post(self, request):
        data = CartItemAddInput(data=request.data)
        data.is_valid(raise_exception=True)
        cart_item_add(
            customer=request.user, plan_id=data.validated_data["plan"], quantity=data.validated_data["quantity"]
        )
        return _cart_response(request, status.HTTP_201_CREATED)


class CartItemDetailView(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        operation_id="cart_items_update",
        request=CartItemUpdateInput,
        responses={200: CartOutput},
        tags=["cart"],
        description="Set an item's quantity (1-10). Returns the whole cart.",
    )
    def patch(self, request, item_id: int):
        data = CartItemUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        cart_item_update(customer=request.user, item_id=item_id, quantity=data.validated_data["quantity"])
        return _cart_response(request)

    @extend_schema(operation_id="cart_items_destroy", request=None, responses={204: None}, tags=["cart"])
    def delete(self, request, item_id: int):
        cart_item_remove(customer=request.user, item_id=item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CheckoutView(APIView):
    permission_classes = [IsCustomer]
    schema_extra_errors = {
        409: "idempotency_conflict (key reused with another body), idempotency_in_progress (retry shortly), "
        "cart_currency_mismatch.",
        502: "payment_provider_error: Stripe failed; the order stays pending and a retry resumes it.",
    }

    @extend_schema(
        operation_id="checkout_create",
        request=None,
        responses={201: CheckoutOutput},
        tags=["checkout"],
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                location=OpenApiParameter.HEADER,
                required=False,
                description="1-255 characters. A retry with the same key and body replays the first response "
                "(header Idempotent-Replayed: true) and creates nothing.",
            )
        ],
        description="Turn the cart into an order and a Stripe PaymentIntent; returns what PaymentSheet needs. "
        "400 cart_empty, 400 plan_not_active.",
    )
    @idempotent
    def post(self, request):
        result = checkout_start(customer=request.user)
        return Response(CheckoutOutput(result).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("cart/", CartView.as_view(), name="cart"),
    path("cart/items/", CartItemsView.as_view(), name="cart-items"),
    path("cart/items/<int:item_id>/", CartItemDetailView.as_view(), name="cart-item-detail"),
    path("checkout/", CheckoutView.as_view(), name="checkout"),
]

"""Customer's own subscriptions: GET subscriptions/, GET subscriptions/{id}/."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from server.accounts.permissions import IsCustomer
from server.core.pagination import PageNumberPagination
from server.plans.models import Subscription, SubscriptionStatus
from server.plans.selectors.subscriptions import subscription_get_for_customer, subscription_list_for_customer
from server.plans.serializers.subscriptions import SubscriptionListFilter, SubscriptionOutput


class SubscriptionListView(GenericAPIView):
    permission_classes = [IsCustomer]
    serializer_class = SubscriptionOutput
    queryset = Subscription.objects.none()  # schema only; reads go through the selectors
    pagination_class = PageNumberPagination

    @extend_schema(
        operation_id="subscriptions_list",
        tags=["subscriptions"],
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=SubscriptionStatus.values,
                description="Filter by effective status (expiry is applied at read time).",
            ),
        ],
        responses=SubscriptionOutput(many=True),
    )
    def get(self, request):
        filters = SubscriptionListFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        qs = subscription_list_for_customer(customer=request.user, **filters.validated_data)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(SubscriptionOutput(page, many=True).data)


class SubscriptionDetailView(GenericAPIView):
    permission_classes = [IsCustomer]
    serializer_class = SubscriptionOutput
    queryset = Subscription.objects.none()  # schema only; reads go through the selectors

    @extend_schema(operation_id="subscriptions_retrieve", tags=["subscriptions"], responses=SubscriptionOutput)
    def get(self, request, pk: int):
        subscription = subscription_get_for_customer(customer=request.user, subscription_id=pk)
        return Response(SubscriptionOutput(subscription).data)


urlpatterns = [
    path("subscriptions/", SubscriptionListView.as_view(), name="subscription-list"),
    path("subscriptions/<int:pk>/", SubscriptionDetailView.as_view(), name="subscription-detail"),
]

"""Shapes of subscriptions as the app sees them (API.md `subscriptions/` rows)."""

import math

from django.utils import timezone
from rest_framework import serializers

from server.plans.models import SubscriptionStatus
from server.plans.selectors.subscriptions import subscription_effective_status


class SubscriptionListFilter(serializers.Serializer):
    status = serializers.ChoiceField(choices=SubscriptionStatus.choices, required=False)


class SubscriptionPlanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class SubscriptionBalanceOutput(serializers.Serializer):
    category = serializers.CharField(source="category.slug", help_text="Category slug.")
    category_name = serializers.CharField(source="category.name")
    visits_total = serializers.IntegerField()
    visits_left = serializers.IntegerField()


class SubscriptionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    plan = SubscriptionPlanOutput()
    order = serializers.IntegerField(source="order_id", help_text="Id of the order that bought it.")
    status = serializers.SerializerMethodField(
        help_text="Effective status: an active plan past its expiry is `expired` even before the nightly job."
    )
    starts_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    days_left = serializers.SerializerMethodField(help_text="Whole days until expiry, rounded up; 0 unless active.")
    balances = SubscriptionBalanceOutput(many=True)

    def _now(self):
        # One clock for the whole response, so status and days_left agree.
        if "now" not in self.context:
            self.context["now"] = timezone.now()
        return self.context["now"]

    def get_status(self, obj) -> str:
        return subscription_effective_status(obj, now=self._now())

    def get_days_left(self, obj) -> int:
        now = self._now()
        if subscription_effective_status(obj, now=now) != SubscriptionStatus.ACTIVE:
            return 0
        return max(0, math.ceil((obj.expires_at - now).total_seconds() / 86400))

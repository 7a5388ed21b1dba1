from rest_framework import serializers


class MoneySerializer(serializers.Serializer):
    """API.md money: integer minor units and an ISO 4217 currency."""

    amount = serializers.IntegerField(help_text="Minor units (paise, cents).")
    currency = serializers.CharField(help_text="ISO 4217 code, e.g. INR.")


def money(amount: int, currency: str) -> dict:
    return {"amount": amount, "currency": currency}

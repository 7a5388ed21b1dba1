from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Cart(models.Model):
    """The customer's one open cart; prices are always read from current plans."""

    customer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Cart of {self.customer_id}"


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(10)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "plan"], name="payments_cartitem_unique_plan"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=10), name="payments_cartitem_quantity_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x plan {self.plan_id}"


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", "Pending payment"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"


class Order(models.Model):
    """A snapshot of a cart at checkout; its lines never change after creation."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT, db_index=True
    )
    currency = models.CharField(max_length=3)
    subtotal_amount = models.PositiveIntegerField(help_text="Sum of line totals, tax included (minor units).")
    tax_amount = models.PositiveIntegerField(help_text="Tax contained in the total (minor units).")
    total_amount = models.PositiveIntegerField(help_text="What the customer pays (minor units).")
    tax_rate_bp = models.PositiveIntegerField(default=0, help_text="Tax rate in basis points (1800 = 18%).")
    amount_refunded = models.PositiveIntegerField(default=0)
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    invoice_number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Order {self.pk} ({self.status})"


class OrderLine(models.Model):
    """One plan bought, with everything about it frozen at checkout."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    plan = models.ForeignKey("plans.Plan", on_delete=models.PROTECT, related_name="+")
    plan_name = models.CharField(max_length=150)
    plan_slug = models.CharField(max_length=150)
    unit_amount = models.PositiveIntegerField()
    quantity = models.PositiveSmallIntegerField()
    line_total = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    validity_days = models.PositiveIntegerField()
    entitlements = models.JSONField(
        default=list, help_text='Snapshot: [{"category_id": 1, "category_slug": "plumbing", "visits": 4}]'
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.plan_name}"


class StripeCustomer(models.Model):
    """Which Stripe Customer stands for a Hearth user (one each, created on first checkout)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stripe_customer")
    customer_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.customer_id


class PaymentStatus(models.TextChoices):
    SUCCEEDED = "succeeded", "Succeeded"


class Payment(models.Model):
    """A successful charge for an order, as Stripe reported it at settlement (one per PaymentIntent)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    stripe_payment_intent_id = models.CharField(max_length=255, unique=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.SUCCEEDED)
    card_brand = models.CharField(max_length=32, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Payment {self.stripe_payment_intent_id} for order {self.order_id}"


class Refund(models.Model):
    """A refund of (part of) an order's payment: who asked, why, and whether it was forced."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    stripe_refund_id = models.CharField(max_length=255, unique=True)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=32)
    reason = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    forced = models.BooleanField(default=False, help_text="Refunded in full although visits were already used.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Refund {self.stripe_refund_id} ({self.amount})"


class StripeEvent(models.Model):
    """Every webhook event received, stored once by its Stripe id (replays are ignored)."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class InvoiceCounter(models.Model):
    """The last invoice number issued in a year; its row is locked while a number is taken.

    Taken inside the settlement transaction, so a rolled-back payment gives its number
    back: numbers are sequential and gap-free.
    """

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"

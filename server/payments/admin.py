"""Web panel for orders, payments, refunds and Stripe events.

Money fields are read-only and shown as money; nothing here changes an order except the
refund form, which calls the same `order_refund` service as the API.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from server.accounts.models import Role
from server.core.errors import ApplicationError
from server.payments.models import Order, OrderLine, OrderStatus, Payment, Refund, StripeEvent
from server.payments.services.refunds import REFUNDABLE, order_refund

ZERO_DECIMAL_CURRENCIES = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV"}


def money(amount: int | None, currency: str) -> str:
    if amount is None:
        return "-"
    if currency.upper() in ZERO_DECIMAL_CURRENCIES:
        return f"{currency.upper()} {amount:,}"
    return f"{currency.upper()} {amount // 100:,}.{amount % 100:02d}"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["plan_name", "plan_slug", "quantity", "unit", "total", "validity_days", "entitlements"]
    readonly_fields = fields

    @admin.display(description="Unit price")
    def unit(self, line):
        return money(line.unit_amount, line.currency)

    @admin.display(description="Line total")
    def total(self, line):
        return money(line.line_total, line.currency)


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = [
        "stripe_payment_intent_id",
        "stripe_charge_id",
        "paid",
        "status",
        "card_brand",
        "card_last4",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description="Amount")
    def paid(self, payment):
        return money(payment.amount, payment.currency)


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["stripe_refund_id", "refunded", "status", "reason", "requested_by", "forced", "created_at"]
    readonly_fields = fields

    @admin.display(description="Amount")
    def refunded(self, refund):
        return money(refund.amount, refund.currency)


class RefundForm(forms.Form):
    amount = forms.IntegerField(
        required=False, min_value=1, help_text="In minor units (paise/cents). Leave empty to refund everything left."
    )
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    force = forms.BooleanField(
        required=False, help_text="Refund in full even though visits were used (their plans are revoked)."
    )


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "customer_email", "status", "total", "refunded", "invoice_number", "paid_at", "created_at"]
    list_filter = ["status", ("created_at", admin.DateFieldListFilter), ("paid_at", admin.DateFieldListFilter)]
    search_fields = [
        "=id",
        "customer__email",
        "customer__phone",
        "invoice_number",
        "stripe_payment_intent_id",
        "payments__stripe_charge_id",
        "refunds__stripe_refund_id",
    ]
    list_select_related = ["customer"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline, PaymentInline, RefundInline]
    fields = [
        "customer",
        "status",
        "subtotal",
        "tax",
        "tax_rate_bp",
        "total",
        "refunded",
        "invoice_number",
        "stripe_payment_intent_id",
        "paid_at",
        "created_at",
        "updated_at",
        "refund_action",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Customer", ordering="customer__email")
    def customer_email(self, order):
        return order.customer.email or order.customer.phone

    @admin.display(description="Subtotal")
    def subtotal(self, order):
        return money(order.subtotal_amount, order.currency)

    @admin.display(description="Tax (included)")
    def tax(self, order):
        return money(order.tax_amount, order.currency)

    @admin.display(description="Total", ordering="total_amount")
    def total(self, order):
        return money(order.total_amount, order.currency)

    @admin.display(description="Refunded")
    def refunded(self, order):
        return money(order.amount_refunded, order.currency)

    @admin.display(description="Refund")
    def refund_action(self, order):
        if order.pk is None or order.status not in REFUNDABLE:
            return "Only paid orders can be refunded."
        link = reverse("admin:payments_order_refund", args=[order.pk])
        return format_html('<a class="button" href="{}">Refund this order…</a>', link)

    def get_urls(self):
        extra = [
            path(
                "<int:order_id>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="payments_order_refund",
            )
        ]
        return extra + super().get_urls()

    def refund_view(self, request, order_id: int):
        """A form calling order_refund, the same service as POST admin/orders/{id}/refund/."""
        if getattr(request.user, "role", None) != Role.ADMIN:
            raise PermissionDenied
        order = get_object_or_404(Order.objects.select_related("customer"), pk=order_id)
        change_url = reverse("admin:payments_order_change", args=[order.pk])
        form = RefundForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                refund = order_refund(order_id=order.pk, actor=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                detail = "; ".join(m for msgs in (exc.fields or {}).values() for m in msgs)
                form.add_error(None, f"{exc.message} {detail}".strip())
            else:
                self.message_user(
                    request,
                    f"Refunded {money(refund.amount, refund.currency)} ({refund.stripe_refund_id}).",
                    messages.SUCCESS,
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Refund order {order.pk}",
            "order": order,
            "form": form,
            "refundable": money(order.total_amount - order.amount_refunded, order.currency),
            "change_url": change_url,
            "is_paid": order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED),
        }
        return TemplateResponse(request, "admin/payments/order/refund.html", context)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["id", "order", "stripe_payment_intent_id", "paid", "card_brand", "card_last4", "created_at"]
    search_fields = ["stripe_payment_intent_id", "stripe_charge_id", "order__customer__email", "order__customer__phone"]
    list_filter = [("created_at", admin.DateFieldListFilter)]
    list_select_related = ["order"]

    @admin.display(description="Amount")
    def paid(self, payment):
        return money(payment.amount, payment.currency)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["paid"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    list_display = ["id", "order", "stripe_refund_id", "refunded", "status", "forced", "requested_by", "created_at"]
    search_fields = ["stripe_refund_id", "order__stripe_payment_intent_id", "order__customer__email"]
    list_filter = ["forced", "status", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["order", "requested_by"]

    @admin.display(description="Amount")
    def refunded(self, refund):
        return money(refund.amount, refund.currency)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["refunded"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "received_at", "processed_at"]
    search_fields = ["event_id", "type"]
    list_filter = ["type", ("received_at", admin.DateFieldListFilter)]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a record of what Stripe sent: viewable, never editable

    def has_delete_permission(self, request, obj=None):
        return False

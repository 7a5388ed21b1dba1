"""Writes to the customer's cart. Each service locks the cart row, so edits of one cart serialise."""

from __future__ import annotations

from django.db import transaction

from server.core.errors import NotFound, ValidationFailed
from server.payments.errors import CartCurrencyMismatch, CartQuantityExceeded, PlanNotActive
from server.payments.models import Cart, CartItem
from server.payments.selectors.cart import MAX_QUANTITY
from server.plans.models import Plan


def _cart_lock(*, customer, create: bool) -> Cart | None:
    """The customer's cart row, locked for this transaction (created first when `create`)."""
    if create:
        Cart.objects.get_or_create(customer=customer)
    return Cart.objects.select_for_update().filter(customer=customer).first()


def _plan_for_sale(*, plan_id: int) -> Plan:
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        raise ValidationFailed(fields={"plan": ["Unknown plan."]})
    if not plan.is_active:
        raise PlanNotActive()
    return plan


def cart_item_add(*, customer, plan_id: int, quantity: int) -> CartItem:
    """Put `quantity` of a plan on sale into the customer's cart.

    A plan already in the cart gets its quantity raised; above MAX_QUANTITY of one plan
    the request is refused (nothing changes). A plan in another currency than the cart's
    is refused with `cart_currency_mismatch`.
    """
    with transaction.atomic():
        cart = _cart_lock(customer=customer, create=True)
        assert cart is not None
        plan = _plan_for_sale(plan_id=plan_id)
        items = list(cart.items.select_related("plan"))
        if any(item.plan.currency != plan.currency for item in items if item.plan_id != plan.pk):
            raise CartCurrencyMismatch()
        item = next((i for i in items if i.plan_id == plan.pk), None)
        new_quantity = quantity + (item.quantity if item else 0)
        if new_quantity > MAX_QUANTITY:
            raise CartQuantityExceeded(MAX_QUANTITY)
        if item is None:
            item = CartItem.objects.create(cart=cart, plan=plan, quantity=new_quantity)
        else:
            item.quantity = new_quantity
            item.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return item


def _item_lock(*, customer, item_id: int) -> tuple[Cart, CartItem]:
    cart = _cart_lock(customer=customer, create=False)
    item = cart.items.select_related("plan").filter(pk=item_id).first() if cart else None
    if cart is None or item is None:
        raise NotFound("No such item in your cart.")
    return cart, item


def cart_item_update(*, customer, item_id: int, quantity: int) -> CartItem:
    """Set an item's quantity (1..MAX_QUANTITY). Another customer's item is 404.

    Raising the quantity of a plan no longer on sale is refused (`plan_not_active`);
    lowering it is allowed.
    """
    if not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(fields={"quantity": [f"Must be between 1 and {MAX_QUANTITY}."]})
    with transaction.atomic():
        cart, item = _item_lock(customer=customer, item_id=item_id)
        if quantity > item.quantity and not item.plan.is_active:
            raise PlanNotActive()
        item.quantity = quantity
        item.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return item


def cart_item_remove(*, customer, item_id: int) -> None:
    """Take an item out of the cart. Another customer's item is 404."""
    with transaction.atomic():
        cart, item = _item_lock(customer=customer, item_id=item_id)
        item.delete()
        cart.save(update_fields=["updated_at"])

"""Cart and order factories for payments tests (anyone may add to this file)."""

import factory

from server.payments.models import Cart, CartItem, Order, OrderLine, OrderStatus
from tests.factories import CustomerFactory, PlanFactory


class CartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cart

    customer = factory.SubFactory(CustomerFactory)


class CartItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartItem

    cart = factory.SubFactory(CartFactory)
    plan = factory.SubFactory(PlanFactory)
    quantity = 1


class OrderFactory(factory.django.DjangoModelFactory):
    """A pending order of one line (49900 INR, 18% tax included) unless told otherwise."""

    class Meta:
        model = Order
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    status = OrderStatus.PENDING_PAYMENT
    currency = "INR"
    subtotal_amount = 49900
    tax_amount = 7612
    total_amount = 49900
    tax_rate_bp = 1800
    line = factory.RelatedFactory("tests.payments.factories.OrderLineFactory", factory_related_name="order")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory, line=None)
    plan = factory.SubFactory(PlanFactory)
    plan_name = factory.LazyAttribute(lambda o: o.plan.name)
    plan_slug = factory.LazyAttribute(lambda o: o.plan.slug)
    unit_amount = factory.LazyAttribute(lambda o: o.plan.price_amount)
    quantity = 1
    line_total = factory.LazyAttribute(lambda o: o.unit_amount * o.quantity)
    currency = factory.LazyAttribute(lambda o: o.plan.currency)
    validity_days = factory.LazyAttribute(lambda o: o.plan.validity_days)
    entitlements = factory.LazyFunction(list)

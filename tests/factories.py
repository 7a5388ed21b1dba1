"""factory_boy factories shared by every test package."""

import factory
from django.utils import timezone

from server.accounts.models import Address, Device, ProfessionalProfile, Role, User
from server.plans.models import Category, Plan, PlanEntitlement

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    role = Role.CUSTOMER
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CustomerFactory(UserFactory):
    phone = factory.Sequence(lambda n: f"+9198{n:08d}")


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class SupportFactory(UserFactory):
    role = Role.SUPPORT
    is_staff = True


class ProfessionalFactory(UserFactory):
    role = Role.PROFESSIONAL
    profile = factory.RelatedFactory(
        "tests.factories.ProfessionalProfileFactory", factory_related_name="user", is_approved=True
    )


class ProfessionalProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfessionalProfile

    user = factory.SubFactory(UserFactory, role=Role.PROFESSIONAL)
    city = "Bengaluru"
    experience_years = 5
    is_available = True
    is_approved = False
    approved_at = factory.LazyAttribute(lambda o: timezone.now() if o.is_approved else None)


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    user = factory.SubFactory(CustomerFactory)
    label = "Home"
    line1 = factory.Faker("street_address")
    city = "Bengaluru"
    postcode = "560001"


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    user = factory.SubFactory(CustomerFactory)
    token = factory.Sequence(lambda n: f"fcm-token-{n:06d}-" + "x" * 140)
    platform = "android"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description = "Service category"
    is_active = True
    sort_order = factory.Sequence(lambda n: n)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    name = factory.Sequence(lambda n: f"Care Plan {n}")
    slug = factory.Sequence(lambda n: f"care-plan-{n}")
    description = "A year of care"
    price_amount = 49900
    currency = "INR"
    validity_days = 365
    inclusions = factory.LazyFunction(lambda: ["Priority booking", "No call-out fee"])
    is_active = True
    sort_order = factory.Sequence(lambda n: n)


class PlanEntitlementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanEntitlement

    plan = factory.SubFactory(PlanFactory)
    category = factory.SubFactory(CategoryFactory)
    visits = 4

"""Demo data for a local run and for the fuzzer: categories, plans, one user per role.

Idempotent: running it again updates the same rows (matched by slug or email) and
resets the demo passwords to the printed values, so the printed logins always work.
The catalogue goes through the catalogue services (validation, cache version bump) and the
approval through `professional_approve`; the users, the address and the professional's
profile fields are plain seed rows. `--purchase` buys a plan through the real cart, checkout
and settlement services, paying on the local Stripe stand-in.
"""

from dataclasses import dataclass
from urllib.parse import urlparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from server.accounts.models import Address, ProfessionalProfile, Role, User
from server.accounts.services.professionals import professional_approve
from server.payments import gateway
from server.payments.services.cart import cart_item_add
from server.payments.services.checkout import checkout_start
from server.payments.services.settlement import order_settle
from server.plans.models import Category, Plan
from server.plans.selectors.subscriptions import subscription_list_for_customer
from server.plans.services.catalogue import (
    category_create,
    category_update,
    plan_create,
    plan_set_entitlements,
    plan_update,
)

CATEGORIES = [
    ("plumbing", "Plumbing", "Leaks, taps, pipes, drains and water heaters."),
    ("electrical", "Electrical", "Wiring, switches, fans, lights and safety checks."),
    ("carpentry", "Carpentry", "Doors, hinges, furniture repair and fittings."),
    ("cleaning", "Cleaning", "Deep cleaning of kitchens, bathrooms and whole homes."),
    ("appliance-repair", "Appliance repair", "Washing machines, fridges, ACs and microwaves."),
    ("pest-control", "Pest control", "Cockroaches, termites, ants and rodents."),
]

# slug, name, price in paise (tax included), validity days, {category: visits}, inclusions, featured
PLANS = [
    (
        "plumbing-care-12m",
        "Plumbing Care — 12 months",
        299900,
        365,
        {"plumbing": 4},
        ["4 plumber visits", "No call-out fee", "Priority booking"],
        True,
    ),
    (
        "electrical-care-12m",
        "Electrical Care — 12 months",
        299900,
        365,
        {"electrical": 4},
        ["4 electrician visits", "Annual safety check", "No call-out fee"],
        False,
    ),
    (
        "home-repair-6m",
        "Home Repair — 6 months",
        349900,
        180,
        {"plumbing": 2, "electrical": 2, "carpentry": 2},
        ["6 visits across plumbing, electrical and carpentry", "Priority booking"],
        True,
    ),
    (
        "deep-clean-quarterly",
        "Deep Clean — quarterly",
        499900,
        365,
        {"cleaning": 4},
        ["A deep clean every quarter", "Eco-friendly products"],
        False,
    ),
    (
        "appliance-shield-12m",
        "Appliance Shield — 12 months",
        249900,
        365,
        {"appliance-repair": 3},
        ["3 appliance repair visits", "Genuine spare parts at cost"],
        False,
    ),
    (
        "total-home-12m",
        "Total Home — 12 months",
        999900,
        365,
        {"plumbing": 3, "electrical": 3, "carpentry": 2, "cleaning": 2, "appliance-repair": 2, "pest-control": 2},
        ["14 visits across every service", "Dedicated support line", "No call-out fee"],
        True,
    ),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    full_name: str
    role: str
    phone: str | None = None


CUSTOMER = DemoUser("customer@hearth.local", "hearth-customer-demo", "Asha Customer", Role.CUSTOMER, "+919800000001")
PROFESSIONAL = DemoUser("pro@hearth.local", "hearth-pro-demo", "Ravi Professional", Role.PROFESSIONAL, "+919800000002")
ADMIN = DemoUser("admin@hearth.local", "hearth-admin-demo", "Hearth Admin", Role.ADMIN)
SUPPORT = DemoUser("support@hearth.local", "hearth-support-demo", "Sam Support", Role.SUPPORT)
DEMO_USERS = [ADMIN, SUPPORT, CUSTOMER, PROFESSIONAL]
PURCHASED_PLAN = "total-home-12m"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


class Command(BaseCommand):
    help = "Create or refresh the demo catalogue and one user per role (idempotent); prints the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--purchase",
            action="store_true",
            help=(
                f"Also buy {PURCHASED_PLAN} for the demo customer through the real cart, checkout and "
                "settlement, paying on the local Stripe stand-in (STRIPE_API_BASE must be a loopback address). "
                "Skipped when the customer already has an active plan."
            ),
        )

    def handle(self, *args, **options):
        with transaction.atomic():
            categories = self._seed_categories()
            plans = self._seed_plans(categories)
            users = {u.email: self._seed_user(u) for u in DEMO_USERS}
            self._seed_customer_address(users[CUSTOMER.email])
            self._seed_professional(users[PROFESSIONAL.email], approver=users[ADMIN.email], categories=categories)
        self.stdout.write(self.style.SUCCESS(f"Seeded {len(categories)} categories and {len(plans)} plans."))
        if options["purchase"]:
            self._purchase(users[CUSTOMER.email], next(p for p in plans if p.slug == PURCHASED_PLAN))
        self.stdout.write("Demo logins (email / password):")
        for u in DEMO_USERS:
            self.stdout.write(f"  {u.role:<13} {u.email:<24} {u.password}")

    def _purchase(self, customer: User, plan: Plan) -> None:
        """The demo customer's first plan, bought the way the app buys it (card pm_card_visa)."""
        if urlparse(settings.STRIPE_API_BASE).hostname not in LOCAL_HOSTS:
            raise CommandError("--purchase pays on a local Stripe stand-in only; STRIPE_API_BASE is not loopback.")
        if subscription_list_for_customer(customer=customer, status="active").exists():
            self.stdout.write(f"{customer.email} already has an active plan; no purchase.")
            return
        cart_item_add(customer=customer, plan_id=plan.pk, quantity=1)
        checkout = checkout_start(customer=customer)
        client = gateway.client()
        client.v1.payment_intents.update(checkout.payment_intent_id, {"payment_method": "pm_card_visa"})
        client.v1.payment_intents.confirm(checkout.payment_intent_id)
        order = order_settle(order_id=checkout.order.pk, source="seed_demo")
        if order.status != "paid":
            raise CommandError(f"demo order {order.pk} ended {order.status}, not paid")
        self.stdout.write(f"{customer.email} bought {plan.name} (order {order.pk}, paid).")

    def _seed_categories(self) -> dict[str, Category]:
        out = {}
        for order, (slug, name, description) in enumerate(CATEGORIES):
            fields = {"name": name, "description": description, "is_active": True, "sort_order": order}
            existing = Category.objects.filter(slug=slug).first()
            if existing is None:
                out[slug] = category_create(slug=slug, **fields)
            else:
                out[slug] = category_update(category_id=existing.pk, **fields)
        return out

    def _seed_plans(self, categories: dict[str, Category]) -> list[Plan]:
        out = []
        for order, (slug, name, price, days, visits, inclusions, featured) in enumerate(PLANS):
            entitlements = {categories[cat].pk: n for cat, n in visits.items()}
            fields = {
                "name": name,
                "description": f"{name}: {', '.join(inclusions)}.",
                "price_amount": price,
                "validity_days": days,
                "inclusions": inclusions,
                "is_active": True,
                "is_featured": featured,
                "sort_order": order,
            }
            existing = Plan.objects.filter(slug=slug).first()
            if existing is None:
                plan = plan_create(slug=slug, currency="INR", entitlements=entitlements, **fields)
            else:
                plan_update(plan_id=existing.pk, **fields)
                plan = plan_set_entitlements(plan_id=existing.pk, entitlements=entitlements)
            out.append(plan)
        return out

    def _seed_user(self, demo: DemoUser) -> User:
        staff = demo.role in (Role.ADMIN, Role.SUPPORT)
        user = User.objects.filter(email__iexact=demo.email).first() or User(email=demo.email)
        user.full_name = demo.full_name
        user.role = demo.role
        user.phone = demo.phone
        user.email_verified = True
        user.is_active = True
        user.is_staff = staff
        user.is_superuser = demo.role == Role.ADMIN
        user.set_password(demo.password)
        user.save()
        return user

    def _seed_customer_address(self, customer: User) -> None:
        Address.objects.update_or_create(
            user=customer,
            label="Home",
            defaults={
                "line1": "12 MG Road",
                "line2": "Flat 4B",
                "city": "Bengaluru",
                "postcode": "560001",
                "is_default": True,
            },
        )

    def _seed_professional(self, pro: User, *, approver: User, categories: dict[str, Category]) -> None:
        profile, _ = ProfessionalProfile.objects.get_or_create(user=pro)
        profile.city = "Bengaluru"
        profile.experience_years = 8
        profile.bio = "Licensed plumber and electrician, eight years in Bengaluru homes."
        profile.is_available = True
        profile.save()
        profile.categories.set([categories["plumbing"], categories["electrical"], categories["carpentry"]])
        professional_approve(professional_id=pro.pk, actor=approver)

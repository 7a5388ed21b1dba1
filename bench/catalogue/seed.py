"""Seed a benchmark catalogue (~10 categories, ~40 plans) through the catalogue services."""

import random

import django


def main() -> None:
    django.setup()
    from server.plans.services.catalogue import category_create, plan_create

    rng = random.Random(7)
    names = [
        "Plumbing",
        "Electrical",
        "Carpentry",
        "Cleaning",
        "Appliance repair",
        "Pest control",
        "Painting",
        "Air conditioning",
        "Gardening",
        "Water purifier",
    ]
    categories = [
        category_create(
            name=name,
            slug=name.lower().replace(" ", "-"),
            description=f"{name} by vetted professionals, at home.",
            icon_url=f"https://cdn.hearth.example/icons/{name.lower().replace(' ', '-')}.svg",
            sort_order=i,
        )
        for i, name in enumerate(names)
    ]
    inclusions = ["Priority booking", "No call-out fee", "Spare parts at cost", "90-day work warranty", "Free checkup"]
    for i in range(40):
        covered = rng.sample(categories, k=rng.randint(1, 3))
        plan_create(
            name=f"{covered[0].name} Care {i + 1}",
            slug=f"{covered[0].slug}-care-{i + 1}",
            description="A year of worry-free home care: book a visit from the app, a vetted pro comes over.",
            price_amount=rng.choice([29900, 49900, 99900, 149900]),
            currency="INR",
            validity_days=rng.choice([90, 180, 365]),
            entitlements={c.id: rng.randint(1, 6) for c in covered},
            inclusions=rng.sample(inclusions, k=rng.randint(2, 4)),
            is_featured=i % 7 == 0,
            sort_order=i,
        )
    print(f"seeded {len(categories)} categories and 40 plans")


if __name__ == "__main__":
    main()

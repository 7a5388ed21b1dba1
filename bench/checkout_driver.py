"""Driver of bench/checkout (run by it; expects its environment). See bench/README.md."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

import requests  # noqa: E402
import stripe  # noqa: E402
from django.conf import settings  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402

from server.accounts.models import Role, User  # noqa: E402
from server.plans.models import Category, Plan, PlanEntitlement, Subscription  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def setup(n: int, run: str) -> tuple[Plan, list[str]]:
    category, _ = Category.objects.get_or_create(slug="bench-plumbing", defaults={"name": "Bench plumbing"})
    plan, _ = Plan.objects.get_or_create(
        slug="bench-care",
        defaults={"name": "Bench care", "price_amount": 49900, "currency": "INR", "validity_days": 365},
    )
    PlanEntitlement.objects.get_or_create(plan=plan, category=category, defaults={"visits": 4})
    users = User.objects.bulk_create(
        [User(email=f"bench-{run}-{i}@example.com", role=Role.CUSTOMER, full_name=f"Bench {i}") for i in range(n)]
    )
    return plan, [str(RefreshToken.for_user(u).access_token) for u in users]


def register_webhook(api: str) -> None:
    body = json.dumps({"url": f"{api}/api/v1/payments/stripe/webhook/", "secret": settings.STRIPE_WEBHOOK_SECRET})
    req = urllib.request.Request(
        f"{settings.STRIPE_API_BASE}/_config/webhooks/hearth-bench",
        data=body.encode(),
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(req, timeout=10).close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--api", required=True)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    register_webhook(args.api)
    run = str(int(time.time()))
    plan, tokens = setup(args.n, run)
    sc = stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE})

    checkout_s: list[float] = []
    paid_at: dict[int, float] = {}
    active_at: dict[int, float] = {}
    errors: list[str] = []
    lock = threading.Lock()
    done = threading.Event()

    def customer(token: str) -> None:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        r = http.post(f"{args.api}/api/v1/cart/items/", json={"plan": plan.pk, "quantity": 1}, timeout=60)
        if r.status_code != 201:
            errors.append(f"cart {r.status_code} {r.text[:200]}")
            return
        t0 = time.perf_counter()
        r = http.post(f"{args.api}/api/v1/checkout/", timeout=60)
        elapsed = time.perf_counter() - t0
        if r.status_code != 201:
            errors.append(f"checkout {r.status_code} {r.text[:200]}")
            return
        body = r.json()
        order_id, pi_id = body["order"]["id"], body["payment"]["payment_intent"]
        sc.v1.payment_intents.update(pi_id, params={"payment_method": "pm_card_visa"})
        sc.v1.payment_intents.confirm(pi_id)
        with lock:
            checkout_s.append(elapsed)
            paid_at[order_id] = time.perf_counter()

    def watcher() -> None:
        while not done.is_set():
            pending = [oid for oid in list(paid_at) if oid not in active_at]
            if pending:
                now = time.perf_counter()
                for oid in Subscription.objects.filter(order_id__in=pending).values_list("order_id", flat=True):
                    active_at.setdefault(oid, now)
            time.sleep(0.05)

    watch = threading.Thread(target=watcher, daemon=True)
    watch.start()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.n) as pool:
        list(pool.map(customer, tokens))
    deadline = time.perf_counter() + 60
    while len(active_at) < len(paid_at) and time.perf_counter() < deadline:
        time.sleep(0.05)
    done.set()
    watch.join()
    wall = (max(active_at.values()) if active_at else time.perf_counter()) - start

    settle = [active_at[o] - paid_at[o] for o in active_at]
    print(f"\ncheckout bench: {args.n} customers, gunicorn {args.workers}x{args.threads} gthread, PostgreSQL + Redis")
    print(f"  orders paid and active  {len(active_at)}/{args.n}   errors {len(errors)}")
    print(f"  throughput              {len(active_at) / wall:.1f} orders/s  (wall {wall:.2f}s, checkout→active)")
    print(
        f"  POST checkout/          p50 {percentile(checkout_s, 50) * 1000:.0f} ms   "
        f"p99 {percentile(checkout_s, 99) * 1000:.0f} ms"
    )
    print(
        f"  confirm → active        p50 {percentile(settle, 50) * 1000:.0f} ms   "
        f"p99 {percentile(settle, 99) * 1000:.0f} ms   (includes localstripe's fixed 1 s webhook delay)"
    )
    if settle:
        print(f"  (mean {statistics.mean(settle) * 1000:.0f} ms)")
    for e in errors[:5]:
        print("  error:", e)
    if errors or len(active_at) < args.n:
        sys.exit(1)


if __name__ == "__main__":
    main()

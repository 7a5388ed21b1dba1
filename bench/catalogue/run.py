"""bench/catalogue: plans/ warm-cached, with If-None-Match (304), with the cache off, and a trivial view.

One command (bench/catalogue/run): a fresh PostgreSQL database, migrations, a seeded
catalogue, two gunicorns (2 gthread workers each; one with CATALOGUE_CACHE=false), a
closed-loop load generator on loopback, a table of requests/s and p50/p99, the target
ratios, and everything stopped and dropped at the end. Bounded: about a minute.

Environment: BENCH_DATABASE_URL [postgres://postgres@127.0.0.1:5432/hearth_bench],
BENCH_REDIS_URL [redis://127.0.0.1:6379/0; keys get a per-run prefix and are deleted],
BENCH_SECONDS [2] per scenario and round, BENCH_ROUNDS [5], BENCH_CONNECTIONS [8].
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import urllib.request

from bench.common import loadgen, servers

TARGET_VS_TRIVIAL = 0.8
TARGET_VS_UNCACHED = 3.0


def server_env(*, database_url: str, redis_url: str, prefix: str, cache_on: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CATALOGUE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.catalogue.settings",
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-not-used-anywhere-else-0123456789",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CACHE_KEY_PREFIX=prefix,
        SECURE_SSL_REDIRECT="false",
        STRIPE_SECRET_KEY="sk_test_bench",
        STRIPE_PUBLISHABLE_KEY="pk_test_bench",
        STRIPE_WEBHOOK_SECRET="whsec_bench",
        CELERY_TASK_ALWAYS_EAGER="true",
        LOG_LEVEL="WARNING",
        CATALOGUE_CACHE="true" if cache_on else "false",
        PYTHONWARNINGS="ignore",
    )
    return env


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def delete_redis_keys(redis_url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 2)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 5)))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 8)))
    parser.add_argument("--keep-db", action="store_true", help="leave the benchmark database behind")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    # A plain `kill` still runs the finally blocks below: servers stopped, database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load_before = os.getloadavg()[0]

    database_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hearth_bench")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    prefix = f"hearth-bench-{os.getpid()}"
    cached_env = server_env(database_url=database_url, redis_url=redis_url, prefix=prefix, cache_on=True)
    uncached_env = server_env(database_url=database_url, redis_url=redis_url, prefix=prefix, cache_on=False)

    print(f"bench/catalogue: fresh database {database_url.rsplit('/', 1)[-1]}, migrate, seed", flush=True)
    servers.recreate_database(database_url)
    results: list[loadgen.Result] = []
    rounds: dict[str, list[loadgen.Result]] = {}
    try:
        servers.manage("migrate", "--noinput", "-v", "0", env=cached_env)
        servers.python_module("bench.catalogue.seed", env=cached_env)
        cached_port, uncached_port = servers.free_port(), servers.free_port()
        with (
            servers.gunicorn(port=cached_port, env=cached_env),
            servers.gunicorn(port=uncached_port, env=uncached_env),
        ):
            status, headers, body = fetch(cached_port, "/api/v1/plans/")  # fills the cache
            assert status == 200, (status, body[:300])
            plans = json.loads(body)["count"]
            etag = headers["ETag"]
            status, headers2, body2 = fetch(uncached_port, "/api/v1/plans/")
            assert status == 200 and body2 == body and headers2["ETag"] == etag, "cached and uncached bodies differ"
            assert fetch(cached_port, "/api/v1/plans/", {"If-None-Match": etag})[0] == 304
            print(
                f"catalogue: {plans} plans, plans/ body {len(body)} bytes; gunicorn 2 gthread workers x 4 threads; "
                f"{args.connections} keep-alive connections; {args.rounds} rounds x {args.seconds:g}s per scenario",
                flush=True,
            )
            common = {
                "host": "127.0.0.1",
                "connections": args.connections,
                "duration": args.seconds,
                "warmup": 0.5,
            }
            scenarios = [
                ("trivial Django JSON view", {"port": cached_port, "path": "/bench/ping"}),
                ("plans/ warm cache", {"port": cached_port, "path": "/api/v1/plans/"}),
                (
                    "plans/ If-None-Match (304)",
                    {"port": cached_port, "path": "/api/v1/plans/", "headers": {"If-None-Match": etag}, "expect": 304},
                ),
                ("plans/ cache disabled", {"port": uncached_port, "path": "/api/v1/plans/"}),
            ]
            # Rounds interleave the scenarios so a busy neighbour on a shared machine slows
            # them all alike instead of whichever one happened to run at that moment.
            rounds: dict[str, list[loadgen.Result]] = {name: [] for name, _ in scenarios}
            for round_no in range(1, args.rounds + 1):
                line = []
                for name, options in scenarios:
                    result = loadgen.run(name, **common, **options)
                    rounds[name].append(result)
                    line.append(f"{name}: {result.rps:.0f}/s")
                print(f"  round {round_no}: " + "; ".join(line), flush=True)
            results = [loadgen.merge(rounds[name]) for name, _ in scenarios]
    finally:
        delete_redis_keys(redis_url, prefix)
        if not args.keep_db:
            servers.drop_database(database_url)

    # Ratios are taken per round (the scenarios of one round ran seconds apart, under the
    # same neighbours) and the median round is reported; the table holds the totals.
    names = [r.name for r in results]
    per_round = list(zip(*(rounds[name] for name in names), strict=True))
    vs_trivial = statistics.median(w.rps / t.rps for t, w, _n, _u in per_round)
    vs_uncached = statistics.median(w.rps / u.rps for _t, w, _n, u in per_round)
    nm_vs_warm = statistics.median(n.rps / w.rps for _t, w, n, _u in per_round)
    cpu = platform.processor() or platform.machine()
    print()
    python = sys.version.split()[0]
    print(f"machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}, Python {python}")
    print(f"load average (1 min): {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(loadgen.table(results))
    print()
    ok_trivial = vs_trivial >= TARGET_VS_TRIVIAL
    ok_uncached = vs_uncached >= TARGET_VS_UNCACHED
    print(f"warm / trivial   = {vs_trivial:.2f}  (target >= {TARGET_VS_TRIVIAL})  {'met' if ok_trivial else 'MISSED'}")
    print(
        f"warm / uncached  = {vs_uncached:.2f}  (target >= {TARGET_VS_UNCACHED})  {'met' if ok_uncached else 'MISSED'}"
    )
    print(f"304 / warm       = {nm_vs_warm:.2f}")
    print("(ratios: median over rounds of the per-round ratio)")
    if any(r.errors for r in results):
        print("errors: " + ", ".join(f"{r.name}: {r.errors} {r.statuses}" for r in results if r.errors))
        return 1
    return 0 if (ok_trivial and ok_uncached) or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())

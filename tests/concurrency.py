"""Real-thread races for the PostgreSQL concurrency tests."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_concurrently(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(i)` in n threads released together; returns each outcome (value or exception) in order.

    Each thread closes its own database connection, so the test database can be dropped after.
    """
    barrier = threading.Barrier(n)
    outcomes: list[Any] = [None] * n

    def target(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[i] = work(i)
        except Exception as exc:  # recorded and asserted on by the test
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes

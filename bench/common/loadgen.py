"""A small closed-loop HTTP/1.1 load generator for loopback benchmarks (standard library only).

Each of `connections` threads keeps one keep-alive socket and sends the next request
as soon as the previous response has been read in full. Requests finished during the
warm-up are not counted. Raw sockets instead of http.client keep the generator's own
cost per request small, since it shares the machine's cores with the server.
"""

from __future__ import annotations

import math
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    latencies: list[float] = field(repr=False)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
        return ordered[rank] * 1000


class _Conn:
    """One keep-alive connection reading into a reused buffer (cheap for the generator)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.sock: socket.socket | None = None
        self.buf = bytearray(1 << 20)
        self.view = memoryview(self.buf)
        self.filled = 0

    def _connect(self) -> socket.socket:
        sock = socket.create_connection((self.host, self.port), timeout=10)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock, self.filled = sock, 0
        return sock

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None

    def _fill(self, sock: socket.socket) -> None:
        n = sock.recv_into(self.view[self.filled :])
        if not n:
            raise ConnectionError("server closed the connection")
        self.filled += n

    def request(self, raw: bytes) -> int:
        """Send one request, read the whole response; returns the status code."""
        sock = self.sock or self._connect()
        sock.sendall(raw)
        while (end := self.buf.find(b"\r\n\r\n", 0, self.filled)) < 0:
            self._fill(sock)
        head = bytes(self.view[:end]).decode("latin-1")
        status_line, *header_lines = head.split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length = 0
        close = False
        for line in header_lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        if status in (204, 304) or 100 <= status < 200:
            length = 0
        total = end + 4 + length
        if total > len(self.buf):
            self.view.release()
            self.buf.extend(bytes(total - len(self.buf)))
            self.view = memoryview(self.buf)
        while self.filled < total:
            self._fill(sock)
        rest = self.filled - total
        if rest:
            self.buf[:rest] = self.buf[total : self.filled]
        self.filled = rest
        if close:
            self.close()
        return status


def run(
    name: str,
    *,
    host: str,
    port: int,
    path: str,
    headers: dict[str, str] | None = None,
    connections: int = 8,
    duration: float = 8.0,
    warmup: float = 1.0,
    expect: int = 200,
    max_requests: int = 1_000_000,
) -> Result:
    """Load `path` for `warmup + duration` seconds (or `max_requests`) and measure it."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: application/json", "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    latencies: list[list[float]] = [[] for _ in range(connections)]
    statuses: list[dict[int, int]] = [{} for _ in range(connections)]
    errors = [0] * connections
    counted = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(connections + 1)
    times: dict[str, float] = {}

    def worker(i: int) -> None:
        conn = _Conn(host, port)
        mine, seen = latencies[i], statuses[i]
        barrier.wait()
        start, stop = times["start"], times["stop"]
        try:
            while True:
                t0 = time.perf_counter()
                if t0 >= stop:
                    break
                try:
                    status = conn.request(raw)
                except OSError:
                    errors[i] += 1
                    conn.close()
                    continue
                t1 = time.perf_counter()
                if t0 >= start:
                    seen[status] = seen.get(status, 0) + 1
                    if status == expect:
                        mine.append(t1 - t0)
                    else:
                        errors[i] += 1
                    with lock:
                        counted[0] += 1
                        if counted[0] >= max_requests:
                            times["stop"] = stop = t1
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(connections)]
    for t in threads:
        t.start()
    now = time.perf_counter()
    times["start"] = now + warmup
    times["stop"] = now + warmup + duration
    barrier.wait()
    for t in threads:
        t.join()
    measured = min(times["stop"], time.perf_counter()) - times["start"]
    merged: dict[int, int] = {}
    for seen in statuses:
        for status, n in seen.items():
            merged[status] = merged.get(status, 0) + n
    all_latencies = [x for per in latencies for x in per]
    return Result(
        name=name,
        requests=len(all_latencies),
        seconds=measured,
        latencies=all_latencies,
        errors=sum(errors),
        statuses=merged,
    )


def merge(results: list[Result]) -> Result:
    """One scenario measured in several rounds, as one result."""
    statuses: dict[int, int] = {}
    for r in results:
        for status, n in r.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return Result(
        name=results[0].name,
        requests=sum(r.requests for r in results),
        seconds=sum(r.seconds for r in results),
        latencies=[x for r in results for x in r.latencies],
        errors=sum(r.errors for r in results),
        statuses=statuses,
    )


def table(results: list[Result]) -> str:
    rows = [f"{'scenario':<34}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"]
    for r in results:
        rows.append(
            f"{r.name:<34}{r.requests:>10}{r.rps:>10.0f}{r.percentile(50):>9.2f}{r.percentile(99):>9.2f}{r.errors:>8}"
        )
    return "\n".join(rows)

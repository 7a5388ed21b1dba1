"""The public catalogue's response cache: version-keyed bodies in the Django cache (Redis).

Every cached body lives under a key that contains the catalogue VERSION, a number
kept in the cache itself. Any committed write to a category, plan or entitlement
bumps the version, so the very next request builds a key nobody has filled yet
and reads the database again; stale bodies simply age out (CATALOGUE_CACHE_SECONDS).

Ordering matters for coherence, and is why the bump runs on commit:
a reader takes the version *before* it reads the database, and a writer bumps it
only *after* its transaction committed. A reader that raced a writer therefore
stores its (possibly old) body under the old version, which nobody asks for again.

Two layers make the bump:

* explicit calls — the catalogue services and the admin mixin call
  `catalogue_changed()` for every write they make (the intended path);
* a write guard — a database execute wrapper (`install_write_guard`) that notices
  any INSERT/UPDATE/DELETE on the three catalogue tables, however it was issued
  (a stray `queryset.update()`, `bulk_create`, a shell session, raw SQL through
  Django's connection), and schedules the same on-commit bump. This is cache
  coherence, not business logic: it changes no data and sends nothing out; it
  exists because a forgotten explicit call must never leave phones reading a stale
  price. It is installed once per process by `PlansConfig.ready()` (web, worker,
  beat, shell and management commands alike).

Serving: `CatalogueCacheMiddleware` answers a warm GET before sessions, authentication
and routing with one cache round trip (the version); the body comes from a small
per-process map keyed by the same versioned key, else from Redis. On a miss the view
renders, stores the (ETag, body) pair and serves it. Errors and non-canonical queries
are never cached. A cache outage degrades to serving from the database.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.utils.http import parse_etags, urlencode

logger = logging.getLogger("hearth.plans.cache")

VERSION_KEY = "catalogue:version"
CATALOGUE_TABLES = ("plans_category", "plans_plan", "plans_planentitlement")
_PAGE_RE = re.compile(r"[1-9][0-9]{0,5}")
_SLUG_RE = re.compile(r"[-a-zA-Z0-9_]{1,100}")


# --- version ----------------------------------------------------------------------


def _fresh_version() -> int:
    # A clock-derived start means a version key lost to eviction or a flush never
    # comes back with a number whose bodies are still cached.
    return time.time_ns()


def current_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _fresh_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return int(version)


def bump_version() -> None:
    """Make every cached catalogue body unreachable. Never raises: a cache outage is logged."""
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet (first start, flushed or evicted)
            if not cache.add(VERSION_KEY, _fresh_version(), timeout=None):
                cache.incr(VERSION_KEY)
    except Exception:
        logger.exception("catalogue cache version bump failed; bodies may be stale for up to %ss", _ttl())


def catalogue_changed(*, using: str | None = None) -> None:
    """Schedule a version bump for when the current transaction commits (now, outside one).

    Not deduplicated: one INCR per catalogue write is cheap next to the write itself, and
    each registration then lives and dies with its own savepoint.
    """
    transaction.on_commit(bump_version, using=using)


# --- the write guard ------------------------------------------------------------------

_WRITE_RE = re.compile(
    r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"`]?(?:" + "|".join(CATALOGUE_TABLES) + r")[\"`]?[\s(]",
    re.IGNORECASE,
)


def _write_guard(execute: Callable, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and _WRITE_RE.match(sql):
        catalogue_changed(using=context["connection"].alias)
    return result


def _attach(connection: Any) -> None:
    if _write_guard not in connection.execute_wrappers:
        connection.execute_wrappers.append(_write_guard)


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    _attach(connection)


def install_write_guard() -> None:
    """Idempotent; attaches the guard to every database connection of this process."""
    connection_created.connect(_on_connection_created, dispatch_uid="hearth.plans.catalogue_write_guard")
    for conn in connections.all(initialized_only=True):
        _attach(conn)


# --- bodies ---------------------------------------------------------------------------


def _ttl() -> int:
    return settings.CATALOGUE_CACHE_SECONDS


def canonical_query(request: HttpRequest, *, params: frozenset[str]) -> str | None:
    """The query string in canonical form, or None when this request must not be cached.

    Only canonical queries are cached (known parameters, once each, a plain page number,
    a slug), so no one can fill Redis with endless spellings of one page.
    """
    query = request.GET
    items = []
    for name in query:
        if name not in params:
            return None
        values = query.getlist(name)
        if len(values) != 1:
            return None
        value = values[0]
        if name == "page" and not _PAGE_RE.fullmatch(value):
            return None
        if name == "category" and not _SLUG_RE.fullmatch(value):
            return None
        items.append((name, value))
    items.sort()
    return urlencode(items)


def cache_key(request: HttpRequest, *, params: frozenset[str]) -> str | None:
    """The cache key for this GET under the current version, or None when it must not be cached.

    The scheme and host are part of the key because pagination and image links are absolute.
    """
    if not settings.CATALOGUE_CACHE:
        return None
    query = canonical_query(request, params=params)
    if query is None:
        return None
    try:
        version = current_version()
    except Exception:
        logger.exception("catalogue cache unavailable; serving from the database")
        return None
    return f"catalogue:{version}:{request.scheme}://{request.get_host()}{request.path}?{query}"


# Each process keeps the bodies it has served in a small local map in front of Redis. It is
# keyed by the same versioned key, and the version itself is read from the cache on every
# request, so a bump in any process still makes the very next request miss everywhere; the
# map only saves moving and unpickling the body on a hit. Keys are canonical (see cache_key),
# so the map stays small; it is simply emptied when full.
_LOCAL: dict[str, tuple[str, bytes]] = {}
LOCAL_MAX_ENTRIES = 256


def forget_local() -> None:
    _LOCAL.clear()


def _remember(key: str, entry: tuple[str, bytes]) -> None:
    if len(_LOCAL) >= LOCAL_MAX_ENTRIES:
        _LOCAL.clear()
    _LOCAL[key] = entry


def entry_get(key: str) -> tuple[str, bytes] | None:
    entry = _LOCAL.get(key)
    if entry is not None:
        return entry
    try:
        entry = cache.get(key)
    except Exception:
        logger.exception("catalogue cache read failed; serving from the database")
        return None
    if entry is not None:
        _remember(key, entry)
    return entry


def entry_set(key: str, *, etag: str, body: bytes) -> None:
    try:
        cache.set(key, (etag, body), timeout=_ttl())
    except Exception:
        logger.exception("catalogue cache write failed")
        return
    _remember(key, (etag, body))


def etag_for(body: bytes) -> str:
    """A strong validator: the quoted hash of the exact bytes sent."""
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def _not_modified(request: HttpRequest, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    tags = parse_etags(header)
    if tags == ["*"]:
        return True
    # If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored.
    return etag in {tag.removeprefix("W/") for tag in tags}


def respond(request: HttpRequest, *, etag: str, body: bytes) -> HttpResponse:
    """200 with the body, or 304 without one when the client already holds this ETag."""
    if _not_modified(request, etag):
        response = HttpResponse(status=304)
        del response["Content-Type"]
    else:
        response = HttpResponse(body if request.method != "HEAD" else b"", content_type="application/json")
        response["Content-Length"] = str(len(body))
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={settings.CATALOGUE_MAX_AGE}"
    return response


# --- the front door ---------------------------------------------------------------------------

# Every query parameter any catalogue list accepts; a view stores only keys built from its own.
ALL_PARAMS = frozenset({"page", "category"})


class CatalogueCacheMiddleware:
    """Answers warm catalogue GETs before sessions, CSRF, authentication and URL routing run.

    Sits right after SecurityMiddleware/WhiteNoise/CORS (whose headers still apply). It
    serves only bodies a catalogue view stored under this exact version, scheme, host,
    path and canonical query, and passes everything else through untouched; the views
    themselves fill the cache on a miss and can also answer hits on their own when this
    middleware is not installed. See bench/README.md for what it buys.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._prefixes: tuple[str, ...] | None = None

    def prefixes(self) -> tuple[str, ...]:
        if self._prefixes is None:
            from django.urls import reverse

            self._prefixes = (reverse("category-list"), reverse("plan-list"))
        return self._prefixes

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD") and request.path.startswith(self.prefixes()):
            key = cache_key(request, params=ALL_PARAMS)
            if key is not None:
                entry = entry_get(key)
                if entry is not None:
                    etag, body = entry
                    return respond(request, etag=etag, body=body)
                request.catalogue_cache_missed = key  # the view need not look again
        return self.get_response(request)

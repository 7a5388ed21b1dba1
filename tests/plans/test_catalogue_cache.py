"""The catalogue cache: warm reads touch no database, ETags and 304s, and every write path invalidates.

`django_capture_on_commit_callbacks(execute=True)` stands in for the commit the test
transaction never makes: the version bump is an on-commit action by design.
"""

import pytest
from django.core.cache import cache
from django.db import connection

from server.plans import cache as catalogue_cache
from server.plans.models import Category, Plan, PlanEntitlement
from server.plans.services import catalogue as services
from tests import factories

PLANS = "/api/v1/plans/"
CATEGORIES = "/api/v1/categories/"


def assert_warm(api, url, django_assert_num_queries, **params):
    """Fill the cache for `url`, then prove the next read is served without the database."""
    first = api.get(url, params)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = api.get(url, params)
    assert again.content == first.content
    return again


def names(response):
    return [item["name"] for item in response.json()["results"]]


# --- warm reads --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params"),
    [(PLANS, {}), (PLANS, {"category": "electrical"}), (CATEGORIES, {}), (f"{CATEGORIES}plumbing/", {})],
)
def test_warm_read_takes_no_database_query(api, catalogue, django_assert_num_queries, url, params):
    assert_warm(api, url, django_assert_num_queries, **params)


def test_warm_plan_detail_takes_no_database_query(api, catalogue, django_assert_num_queries):
    assert_warm(api, f"{PLANS}{catalogue.home.id}/", django_assert_num_queries)


def test_warm_read_with_a_token_takes_no_database_query(customer_api, catalogue, django_assert_num_queries):
    # A logged-in app sends its bearer token everywhere; the catalogue ignores it.
    assert_warm(customer_api, PLANS, django_assert_num_queries)


def test_warm_read_from_a_logged_in_admin_session_takes_no_database_query(
    client, admin_user, catalogue, django_assert_num_queries
):
    client.force_login(admin_user)
    assert_warm(client, PLANS, django_assert_num_queries)


def test_cached_and_uncached_bodies_and_etags_are_identical(api, catalogue, settings):
    cold = api.get(PLANS)
    warm = api.get(PLANS)
    settings.CATALOGUE_CACHE = False
    uncached = api.get(PLANS)

    assert cold.content == warm.content == uncached.content
    assert cold["ETag"] == warm["ETag"] == uncached["ETag"]


def test_catalogue_is_cached_in_redis(api, catalogue, redis_cache):
    from django_redis import get_redis_connection

    api.get(PLANS)

    keys = get_redis_connection("default").keys(f"*{catalogue_cache.VERSION_KEY}")
    assert keys
    assert any(b"/api/v1/plans/" in key for key in get_redis_connection("default").keys("*catalogue:*"))


def test_cache_disabled_reads_the_database_every_time(api, catalogue, settings, django_assert_num_queries):
    settings.CATALOGUE_CACHE = False
    api.get(PLANS)

    with django_assert_num_queries(3):
        response = api.get(PLANS)

    assert response.status_code == 200
    assert response["ETag"]


# --- ETag, 304, Cache-Control ---------------------------------------------------------------


def test_response_carries_a_strong_etag_and_cache_control(api, catalogue, settings):
    settings.CATALOGUE_MAX_AGE = 123

    response = api.get(PLANS)

    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert not response["ETag"].startswith("W/")
    assert response["Cache-Control"] == "public, max-age=123"
    assert response["Content-Type"] == "application/json"


def test_if_none_match_with_the_current_etag_is_304_without_a_body(api, catalogue, django_assert_num_queries):
    etag = api.get(PLANS)["ETag"]

    with django_assert_num_queries(0):
        response = api.get(PLANS, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"].startswith("public, max-age=")


def test_if_none_match_on_a_cold_cache_is_also_304(api, catalogue):
    etag = api.get(PLANS)["ETag"]
    cache.clear()

    response = api.get(PLANS, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


@pytest.mark.parametrize("header", ['"other", {etag}', "W/{etag}", "*"])
def test_if_none_match_accepts_lists_weak_forms_and_star(api, catalogue, header):
    etag = api.get(PLANS)["ETag"]

    response = api.get(PLANS, HTTP_IF_NONE_MATCH=header.format(etag=etag))

    assert response.status_code == 304


def test_stale_etag_gets_the_new_body(api, catalogue, django_capture_on_commit_callbacks):
    etag = api.get(PLANS)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_update(plan_id=catalogue.spark.id, price_amount=31900)

    response = api.get(PLANS, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["results"][1]["price"] == {"amount": 31900, "currency": "INR"}


def test_etag_on_plan_detail_gives_304(api, catalogue):
    url = f"{PLANS}{catalogue.home.id}/"
    etag = api.get(url)["ETag"]

    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_errors_are_not_cached_and_carry_no_cache_headers(api, catalogue, django_assert_num_queries):
    api.get(f"{PLANS}{catalogue.retired.id}/")

    with django_assert_num_queries(1):
        response = api.get(f"{PLANS}{catalogue.retired.id}/")

    assert response.status_code == 404
    assert "ETag" not in response


# --- what is cached, and under which key ------------------------------------------------------


def test_unknown_category_filter_is_not_cached(api, catalogue, django_assert_num_queries):
    api.get(PLANS, {"category": "made-up"})

    with django_assert_num_queries(1):
        response = api.get(PLANS, {"category": "made-up"})

    assert response.json()["results"] == []


def cache_keys_for(path):
    if isinstance(getattr(cache, "_cache", None), dict):  # locmem, when run without Redis
        return [k for k in cache._cache if f"{path}?" in k]
    from django_redis import get_redis_connection

    return [k for k in get_redis_connection("default").keys("*catalogue:*") if f"{path}?".encode() in k]


@pytest.mark.parametrize("query", ["page=01", "foo=bar", "category=plumbing&category=electrical", "page=1&page=2"])
def test_non_canonical_queries_are_served_but_not_cached(api, catalogue, query):
    response = api.get(f"{PLANS}?{query}")

    assert response.status_code in (200, 400)  # two pages at once is a validation error
    assert cache_keys_for(PLANS) == []


def test_canonical_query_is_cached_once(api, catalogue):
    api.get(PLANS, {"category": "plumbing", "page": 1})
    api.get(f"{PLANS}?page=1&category=plumbing")

    assert len(cache_keys_for(PLANS)) == 1


def test_key_depends_on_the_host_because_links_are_absolute(api, catalogue, settings):
    settings.ALLOWED_HOSTS = ["testserver", "api.example.com"]

    local = api.get(PLANS, {"page": 1})
    other = api.get(PLANS, {"page": 1}, HTTP_HOST="api.example.com")

    assert local.status_code == other.status_code == 200
    assert len(cache_keys_for(PLANS)) == 2


def test_lost_version_key_starts_a_fresh_version(api, catalogue, django_assert_num_queries):
    api.get(PLANS)
    before = catalogue_cache.current_version()
    cache.delete(catalogue_cache.VERSION_KEY)

    with django_assert_num_queries(3):
        api.get(PLANS)  # a new version: the old body is unreachable

    assert catalogue_cache.current_version() > before


def test_bump_without_a_version_key_creates_one(db):
    cache.delete(catalogue_cache.VERSION_KEY)

    catalogue_cache.bump_version()

    assert cache.get(catalogue_cache.VERSION_KEY) is not None


def test_reader_takes_the_version_before_the_database(api, catalogue, monkeypatch):
    """A writer committing between a reader's version read and its DB read cannot leave a stale entry."""
    from server.plans.selectors import catalogue as selectors

    real = selectors.plan_list_active

    def racing_plan_list_active(**kwargs):
        # The writer commits and bumps after this reader took its version.
        Plan.objects.filter(pk=catalogue.spark.pk).update(price_amount=11100)
        catalogue_cache.bump_version()
        return real(**kwargs)

    monkeypatch.setattr("server.plans.views.catalogue.plan_list_active", racing_plan_list_active)
    api.get(PLANS)
    monkeypatch.setattr("server.plans.views.catalogue.plan_list_active", real)

    response = api.get(PLANS)

    assert response.json()["results"][1]["price"]["amount"] == 11100


# --- invalidation through services (explicit bump; guard off) ------------------------------------


@pytest.fixture
def warm_plans(api, catalogue, django_assert_num_queries):
    assert_warm(api, PLANS, django_assert_num_queries)
    return api


def test_plan_update_service_is_seen_on_the_next_request(
    warm_plans, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_update(plan_id=catalogue.home.id, name="Home Care Plus")

    assert names(warm_plans.get(PLANS))[0] == "Home Care Plus"


def test_plans_set_active_service_bulk_update_is_seen_on_the_next_request(
    warm_plans, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.plans_set_active(plan_ids=[catalogue.home.id, catalogue.spark.id], is_active=False)

    assert changed == 2
    assert names(warm_plans.get(PLANS)) == ["Bug Free"]


def test_plans_set_featured_service_is_seen_on_the_next_request(
    warm_plans, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.plans_set_featured(plan_ids=[catalogue.spark.id], is_featured=True)

    assert warm_plans.get(PLANS).json()["results"][1]["is_featured"] is True


def test_plan_create_service_is_seen_on_the_next_request(
    warm_plans, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_create(
            name="Zed",
            slug="zed",
            price_amount=100,
            validity_days=30,
            entitlements={catalogue.plumbing.id: 1},
            sort_order=99,
        )

    assert names(warm_plans.get(PLANS))[-1] == "Zed"


def test_plan_set_entitlements_service_is_seen_on_the_next_request(
    warm_plans, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_set_entitlements(plan_id=catalogue.spark.id, entitlements={catalogue.plumbing.id: 7})

    spark = warm_plans.get(PLANS).json()["results"][1]
    assert spark["entitlements"] == [{"category": "plumbing", "category_name": "Plumbing", "visits": 7}]


def test_category_update_service_is_seen_on_the_next_request(
    api, catalogue, no_write_guard, django_capture_on_commit_callbacks, django_assert_num_queries
):
    assert_warm(api, CATEGORIES, django_assert_num_queries)
    assert_warm(api, PLANS, django_assert_num_queries)
    with django_capture_on_commit_callbacks(execute=True):
        services.category_update(category_id=catalogue.electrical.id, name="Electricals")

    assert names(api.get(CATEGORIES)) == ["Plumbing", "Electricals"]
    assert api.get(PLANS).json()["results"][0]["entitlements"][1]["category_name"] == "Electricals"


def test_categories_set_active_service_is_seen_on_the_next_request(
    api, catalogue, no_write_guard, django_capture_on_commit_callbacks, django_assert_num_queries
):
    assert_warm(api, CATEGORIES, django_assert_num_queries)
    with django_capture_on_commit_callbacks(execute=True):
        services.categories_set_active(category_ids=[catalogue.pest.id], is_active=True)

    assert names(api.get(CATEGORIES)) == ["Plumbing", "Electrical", "Pest control"]


def test_nothing_is_bumped_before_commit(warm_plans, catalogue, no_write_guard, django_capture_on_commit_callbacks):
    version = catalogue_cache.current_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.plan_update(plan_id=catalogue.home.id, name="Not yet")
        assert catalogue_cache.current_version() == version

    assert catalogue_cache.bump_version in callbacks


# --- the write guard: writes that bypass services and the admin ------------------------------------


def test_without_guard_or_explicit_bump_a_stray_update_would_stay_invisible(
    warm_plans, catalogue, no_write_guard, django_capture_on_commit_callbacks
):
    """The control for the tests around it: the cache really does hide unannounced writes."""
    with django_capture_on_commit_callbacks(execute=True):
        Plan.objects.filter(pk=catalogue.spark.pk).update(name="Sparkle")

    assert "Sparkle" not in names(warm_plans.get(PLANS))


def test_guard_catches_a_stray_queryset_update(warm_plans, catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Plan.objects.filter(pk=catalogue.spark.pk).update(name="Sparkle")

    assert "Sparkle" in names(warm_plans.get(PLANS))


def test_guard_catches_model_save_and_delete(warm_plans, catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.spark.delete()

    assert "Spark" not in names(warm_plans.get(PLANS))


def test_guard_catches_queryset_delete_of_entitlements(warm_plans, catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        PlanEntitlement.objects.filter(plan=catalogue.home, category=catalogue.electrical).delete()

    home = warm_plans.get(PLANS).json()["results"][0]
    assert [e["category"] for e in home["entitlements"]] == ["plumbing"]


def test_guard_catches_bulk_create(warm_plans, catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Plan.objects.bulk_create([Plan(name="Bulk", slug="bulk", price_amount=1, validity_days=1, sort_order=50)])

    assert "Bulk" in names(warm_plans.get(PLANS))


def test_guard_catches_raw_sql(warm_plans, catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), connection.cursor() as cursor:
        cursor.execute("update plans_category set name = %s where slug = %s", ["Plumbing & Drains", "plumbing"])

    assert warm_plans.get(PLANS).json()["results"][0]["entitlements"][0]["category_name"] == "Plumbing & Drains"


def test_guard_ignores_reads_and_other_tables(catalogue, django_capture_on_commit_callbacks, customer):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        list(Plan.objects.all())
        list(Category.objects.filter(is_active=True))
        customer.full_name = "Someone Else"
        customer.save()

    assert catalogue_cache.bump_version not in callbacks


def test_guard_registers_a_bump_per_catalogue_write(catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        factories.CategoryFactory()

    assert callbacks == [catalogue_cache.bump_version]


# --- the front door (middleware), the local copy, and a cache outage ------------------------------------


def test_view_alone_serves_warm_reads_without_the_database(api, catalogue, settings, django_assert_num_queries):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("CatalogueCacheMiddleware")]

    assert_warm(api, PLANS, django_assert_num_queries)
    etag = api.get(PLANS)["ETag"]
    with django_assert_num_queries(0):
        assert api.get(PLANS, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_warm_read_comes_from_redis_when_this_process_has_no_local_copy(api, catalogue, django_assert_num_queries):
    first = api.get(PLANS)
    catalogue_cache.forget_local()

    with django_assert_num_queries(0):
        again = api.get(PLANS)

    assert again.content == first.content


def test_a_bump_from_another_process_is_seen_despite_the_local_copy(api, catalogue):
    api.get(PLANS)
    Plan.objects.filter(pk=catalogue.spark.pk).update(name="Changed elsewhere")  # a write this cache never heard of...
    cache.incr(catalogue_cache.VERSION_KEY)  # ...but another process's commit bumped the shared version

    assert "Changed elsewhere" in names(api.get(PLANS))


def test_head_gets_headers_without_a_body(api, catalogue):
    get = api.get(PLANS)

    head = api.head(PLANS)

    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == get["ETag"]
    assert head["Content-Length"] == str(len(get.content))


def test_list_parameters_a_view_does_not_take_are_not_cached(api, catalogue):
    response = api.get(CATEGORIES, {"category": "plumbing"})

    assert response.status_code == 200
    assert cache_keys_for(CATEGORIES) == []


def test_other_paths_and_methods_pass_through(api, admin_api, catalogue):
    api.get(PLANS)

    assert admin_api.post(PLANS, {}, format="json").status_code == 405
    assert api.get("/api/v1/app-config/").status_code == 200


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("redis is down")

        return fail


def test_cache_outage_serves_from_the_database(api, catalogue, monkeypatch):
    expected = api.get(PLANS).content
    catalogue_cache.forget_local()
    monkeypatch.setattr(catalogue_cache, "cache", BrokenCache())

    response = api.get(PLANS)

    assert response.status_code == 200
    assert response.content == expected


def test_cache_outage_during_a_bump_does_not_break_the_write(catalogue, monkeypatch):
    monkeypatch.setattr(catalogue_cache, "cache", BrokenCache())

    catalogue_cache.bump_version()  # logged, not raised

    plan = services.plan_update(plan_id=catalogue.spark.id, name="Still saved")
    assert plan.name == "Still saved"

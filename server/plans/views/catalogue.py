"""Public catalogue: categories and plans, cached whole in Redis and answered with ETags.

A warm request is answered from one cached (ETag, body) pair by CatalogueCacheMiddleware
(server/plans/cache.py) before sessions, authentication and routing, or, without that
middleware, here in `dispatch`: either way no database, no session, no authentication, no
DRF request parsing. A miss falls through to DRF, renders the body once, stores it under
the current catalogue version and serves it.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

from server.core.pagination import PageNumberPagination
from server.plans import cache
from server.plans.models import Category, Plan
from server.plans.selectors.catalogue import (
    category_find_active,
    category_get_active,
    category_list_active,
    plan_get_active,
    plan_list_active,
)
from server.plans.serializers.catalogue import CategoryOutput, PlanListQuery, PlanOutput


class CataloguePagination(PageNumberPagination):
    """API.md's page shape; one page holds a whole realistic catalogue."""

    page_size = 100
    page_size_query_param = None  # fixed, so each page has one cache entry


class JSONOnly(BaseContentNegotiation):
    """Always JSON, whatever Accept says, exactly as a cache hit answers."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


CACHE_HEADERS = [
    OpenApiParameter(
        "If-None-Match",
        str,
        OpenApiParameter.HEADER,
        description="An ETag the app already holds; the answer is then 304 without a body.",
    ),
    OpenApiParameter(
        "ETag", str, OpenApiParameter.HEADER, response=[200, 304], description="Strong validator of the body."
    ),
    OpenApiParameter(
        "Cache-Control", str, OpenApiParameter.HEADER, response=[200, 304], description="public, max-age=<seconds>"
    ),
]
NOT_MODIFIED = OpenApiResponse(description="Not modified: the If-None-Match ETag is current; no body.")


class CachedCatalogueView(GenericAPIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []  # a bad token on a public read must not 401
    filter_backends: list = []
    content_negotiation_class = JSONOnly
    pagination_class = CataloguePagination
    cache_params: frozenset[str] = frozenset()
    _cache_key: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            key = cache.cache_key(request, params=self.cache_params)
            if key is not None:
                missed = key == getattr(request, "catalogue_cache_missed", None)
                entry = None if missed else cache.entry_get(key)
                if entry is not None:
                    etag, body = entry
                    return cache.respond(request, etag=etag, body=body)
                # The version in the key was read before the database is: see server/plans/cache.py.
                self._cache_key = key
        return super().dispatch(request, *args, **kwargs)

    def render_catalogue(self, data, *, cacheable: bool = True):
        body = JSONRenderer().render(data)
        etag = cache.etag_for(body)
        if cacheable and self._cache_key is not None:
            cache.entry_set(self._cache_key, etag=etag, body=body)
        return cache.respond(self.request, etag=etag, body=body)

    def render_page(self, queryset, serializer_class, *, cacheable: bool = True):
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.render_catalogue(self.get_paginated_response(data).data, cacheable=cacheable)


class CategoryListView(ListModelMixin, CachedCatalogueView):
    serializer_class = CategoryOutput
    queryset = Category.objects.none()
    cache_params = frozenset({"page"})

    @extend_schema(
        operation_id="categories_list",
        summary="Active categories",
        parameters=CACHE_HEADERS,
        responses={200: CategoryOutput, 304: NOT_MODIFIED},
    )
    def get(self, request):
        return self.render_page(category_list_active(), CategoryOutput)


class CategoryDetailView(CachedCatalogueView):
    serializer_class = CategoryOutput
    queryset = Category.objects.none()

    @extend_schema(
        operation_id="categories_retrieve",
        summary="One active category",
        parameters=CACHE_HEADERS,
        responses={200: CategoryOutput, 304: NOT_MODIFIED},
    )
    def get(self, request, slug: str):
        category = category_get_active(slug=slug)
        return self.render_catalogue(CategoryOutput(category, context=self.get_serializer_context()).data)


class PlanListView(ListModelMixin, CachedCatalogueView):
    serializer_class = PlanOutput
    queryset = Plan.objects.none()
    cache_params = frozenset({"page", "category"})

    @extend_schema(
        operation_id="plans_list",
        summary="Active plans",
        description=(
            "Active plans in display order. `category` keeps the plans with visits in that category; "
            "an unknown or inactive category gives an empty list (the app may hold an old slug)."
        ),
        parameters=[PlanListQuery, *CACHE_HEADERS],
        responses={200: PlanOutput, 304: NOT_MODIFIED},
    )
    def get(self, request):
        query = PlanListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        slug = query.validated_data.get("category")
        if slug is None:
            return self.render_page(plan_list_active(), PlanOutput)
        category = category_find_active(slug=slug)
        if category is None:
            # Not cached: made-up slugs must not fill the cache.
            return self.render_page(Plan.objects.none(), PlanOutput, cacheable=False)
        return self.render_page(plan_list_active(category=category), PlanOutput)


class PlanDetailView(CachedCatalogueView):
    serializer_class = PlanOutput
    queryset = Plan.objects.none()

    @extend_schema(
        operation_id="plans_retrieve",
        summary="One active plan",
        parameters=CACHE_HEADERS,
        responses={200: PlanOutput, 304: NOT_MODIFIED},
    )
    def get(self, request, plan_id: int):
        plan = plan_get_active(plan_id=plan_id)
        return self.render_catalogue(PlanOutput(plan, context=self.get_serializer_context()).data)


urlpatterns = [
    path("categories/", CategoryListView.as_view(), name="category-list"),
    path("categories/<slug:slug>/", CategoryDetailView.as_view(), name="category-detail"),
    path("plans/", PlanListView.as_view(), name="plan-list"),
    path("plans/<int:plan_id>/", PlanDetailView.as_view(), name="plan-detail"),
]

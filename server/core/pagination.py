"""Pagination in API.md's shape: {"next", "previous", "results"} (+ "count" where cheap).

A page or cursor that does not exist is bad input: 400 validation_error on that query
parameter (documented on every operation), not DRF's default 404, which the schema would
have to promise on every list and which the app could mistake for "the list is gone".
"""

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({self.page_query_param: [str(exc.detail)]})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters


class CursorPagination(pagination.CursorPagination):
    """For feeds (notifications, history): stable under inserts, no count."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-created_at"

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({self.cursor_query_param: [str(exc.detail)]})

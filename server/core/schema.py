"""drf-spectacular AutoSchema that documents Hearth's error responses on every operation."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable snake_case code; see mobile_api_docs/errors.md.")
    message = serializers.CharField(help_text="Human-readable text; may change.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Per-field messages; present only for validation_error.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {"400": "Invalid input (validation_error) or a business rule refused the request."}
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            errors["401"] = "not_authenticated, or token_not_valid for an expired/blacklisted token."
            errors["403"] = "permission_denied: the caller's role may not use this endpoint."
        if "{" in self.path:
            errors["404"] = "not_found: no such object, or not the caller's."
        for status, description in getattr(self.view, "schema_extra_errors", {}).items():
            errors[str(status)] = description
        if self.view.get_throttles():
            errors["429"] = "throttled: too many requests; retry after Retry-After seconds."
        for status, description in errors.items():
            if status not in responses:
                body = self._get_response_for_code(ErrorSerializer, status, direction=direction)
                body["description"] = description
                responses[status] = body
        # An error status a view declared with only a description (OpenApiResponse(description=...))
        # still has the one error body.
        for status, declared in list(responses.items()):
            if status.isdigit() and int(status) >= 400 and "content" not in declared:
                body = self._get_response_for_code(ErrorSerializer, status, direction=direction)
                responses[status] = {**declared, "content": body["content"]}
        return responses

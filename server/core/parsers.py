"""Request parsers that refuse NUL characters anywhere in the input.

PostgreSQL cannot store or even compare text containing NUL, so a NUL that reaches a
lookup (a slug or id field, a filter) would be a database error, i.e. a 500. DRF's
CharField already refuses NUL; doing it here covers every other field at once and
names the offending field, as a 400 validation_error.
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ValidationError

NUL_MESSAGE = "Null characters are not allowed."


def nul_paths(data: Any, prefix: str = "") -> list[str]:
    """Dotted paths of every string (key or value) in `data` that contains a NUL."""
    found: list[str] = []
    if isinstance(data, str):
        if "\x00" in data:
            found.append(prefix or "non_field_errors")
    elif isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(key, str) and "\x00" in key:
                found.append(prefix or "non_field_errors")
            found.extend(nul_paths(value, path))
    elif isinstance(data, (list, tuple)):
        for index, item in enumerate(data):
            found.extend(nul_paths(item, f"{prefix}.{index}" if prefix else str(index)))
    return found


def _form_fields(data: Any) -> dict[str, Any]:
    """A QueryDict as {key: value} for single values, {key: [values]} for repeated keys."""
    return {key: values[0] if len(values) == 1 else values for key, values in data.lists()}


def refuse_nul(data: Any) -> None:
    paths = nul_paths(data)
    if paths:
        raise ValidationError({path.replace("\x00", ""): [NUL_MESSAGE] for path in paths})


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_nul(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_nul(_form_fields(data))
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        refuse_nul(_form_fields(result.data))
        return result

"""Every error code the server can send is listed in mobile_api_docs/errors.md."""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import server
from server.core.errors import ApplicationError

ROOT = Path(__file__).resolve().parent.parent.parent
ERRORS_MD = ROOT / "mobile_api_docs" / "errors.md"
SKIP_MODULES = re.compile(r"^server\.(settings|wsgi|asgi)\b|\.migrations\b")

# Codes the one exception handler renders for DRF's, Django's and simplejwt's own errors.
FRAMEWORK_CODES = {
    "validation_error",
    "not_authenticated",
    "token_not_valid",
    "permission_denied",
    "not_found",
    "method_not_allowed",
    "not_acceptable",
    "request_too_large",
    "unsupported_media_type",
    "throttled",
    "internal_error",
}


def documented_codes() -> set[str]:
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", ERRORS_MD.read_text(), re.M))


def _import_all_server_modules() -> None:
    for module in pkgutil.walk_packages(server.__path__, prefix="server."):
        if not SKIP_MODULES.search(module.name):
            importlib.import_module(module.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def application_error_classes() -> list[type]:
    _import_all_server_modules()
    return [cls for cls in {ApplicationError, *_subclasses(ApplicationError)} if cls.__module__.startswith("server.")]


def codes_passed_explicitly(class_names: set[str]) -> set[str]:
    """`SomeError(..., code="x")` calls in server/, for any ApplicationError class."""
    found = set()
    for path in (ROOT / "server").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in class_names:
                continue
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    found.add(keyword.value.value)
    return found


def test_every_application_error_code_is_in_errors_md():
    classes = application_error_classes()
    assert len(classes) > 5, "expected the apps' error classes to be found"
    codes = {cls.code for cls in classes} | codes_passed_explicitly({cls.__name__ for cls in classes})
    missing = sorted(codes - documented_codes())
    assert missing == [], f"error codes missing from mobile_api_docs/errors.md: {missing}"


def test_every_code_the_handler_renders_itself_is_in_errors_md():
    missing = sorted(FRAMEWORK_CODES - documented_codes())
    assert missing == [], f"error codes missing from mobile_api_docs/errors.md: {missing}"


@pytest.mark.parametrize("code", sorted(FRAMEWORK_CODES))
def test_codes_are_stable_snake_case(code):
    assert re.fullmatch(r"[a-z][a-z0-9_]*", code)


def test_application_error_codes_are_snake_case():
    bad = sorted(cls.code for cls in application_error_classes() if not re.fullmatch(r"[a-z][a-z0-9_]*", cls.code))
    assert bad == []

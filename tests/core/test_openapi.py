"""The OpenAPI contract: generated cleanly, committed, current, and documenting errors."""

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from drf_spectacular.generators import SchemaGenerator

ROOT = Path(__file__).resolve().parent.parent.parent
COMMITTED = ROOT / "mobile_api_docs" / "openapi.yaml"
REGENERATE = "DEBUG=true python manage.py spectacular --file mobile_api_docs/openapi.yaml"
ERROR_REF = "#/components/schemas/Error"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spectacular(tmp_path_factory):
    """Run `manage.py spectacular --validate --fail-on-warn` as a developer would, once."""
    out = tmp_path_factory.mktemp("openapi") / "openapi.yaml"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}  # manage.py's own default
    env["DEBUG"] = "true"
    proc = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return proc, out


def test_schema_generates_and_validates_without_warnings(spectacular):
    proc, out = spectacular
    assert proc.returncode == 0, f"manage.py spectacular --validate --fail-on-warn failed:\n{proc.stderr[-5000:]}"
    assert out.exists()


def test_committed_schema_is_current(spectacular):
    proc, out = spectacular
    if proc.returncode != 0:
        pytest.fail(f"schema generation failed (see the test above):\n{proc.stderr[-2000:]}")
    assert COMMITTED.exists(), f"mobile_api_docs/openapi.yaml is missing; generate it with:\n  {REGENERATE}"
    fresh, committed = out.read_text(), COMMITTED.read_text()
    if fresh != committed:
        diff = "".join(
            list(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    fresh.splitlines(keepends=True),
                    "mobile_api_docs/openapi.yaml (committed)",
                    "generated now",
                )
            )[:80]
        )
        pytest.fail(f"mobile_api_docs/openapi.yaml is stale; regenerate and commit it:\n  {REGENERATE}\n\n{diff}")


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def _documents_error(operation, status: str) -> bool:
    response = operation["responses"].get(status)
    if not response:
        return False
    return response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref") == ERROR_REF


def _authenticated(operation) -> bool:
    security = operation.get("security")
    return bool(security) and {} not in security


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_documents_the_validation_error(schema):
    missing = [name for name, op in _operations(schema) if not _documents_error(op, "400")]
    assert missing == [], f"operations without a 400 Error response: {missing}"


def test_authenticated_operations_document_401_and_403(schema):
    authenticated = [(name, op) for name, op in _operations(schema) if _authenticated(op)]
    assert authenticated, "expected some operations that need a token"
    missing = [
        f"{name} {status}"
        for name, op in authenticated
        for status in ("401", "403")
        if not _documents_error(op, status)
    ]
    assert missing == [], f"authenticated operations without 401/403 Error responses: {missing}"


def test_error_schema_matches_the_contract(schema):
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["error"]
    detail = components["ErrorDetail"]
    assert set(detail["properties"]) == {"code", "message", "fields"}
    assert set(detail["required"]) == {"code", "message"}


def test_committed_schema_is_valid_yaml_with_every_v1_path_under_api_v1():
    if not COMMITTED.exists():
        pytest.fail(f"mobile_api_docs/openapi.yaml is missing; generate it with:\n  {REGENERATE}")
    committed = yaml.safe_load(COMMITTED.read_text())
    assert committed["openapi"].startswith("3.")
    assert all(path.startswith("/api/v1/") for path in committed["paths"])


def test_schema_endpoint_answers(api, db):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi:" in response.content


def test_schema_endpoint_answers_json(api, db):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Hearth API"


def test_swagger_ui_answers(api, db):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"/api/schema/" in response.content

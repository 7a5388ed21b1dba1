import pytest


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Celery tasks run in-process here (a real worker is exercised in tests/core)."""
    from server.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def error_code(response) -> str:
    return response.json()["error"]["code"]


def error_fields(response) -> dict:
    return response.json()["error"].get("fields", {})

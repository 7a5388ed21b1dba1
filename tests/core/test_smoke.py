def test_healthz_answers_ok(api):
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_and_cache(api, db):
    response = api.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok"}


def test_unknown_api_path_is_json_not_found(api, db):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_app_config_lists_what_the_app_needs(api, settings):
    settings.SUPPORT_PHONE = "+911234567890"
    response = api.get("/api/v1/app-config/")
    assert response.status_code == 200
    body = response.json()
    assert body["support_phone"] == "+911234567890"
    assert body["stripe_publishable_key"].startswith("pk_")
    assert body["min_app_version"]

"""Public endpoints ignore the Authorization header, so a stale token left on the phone never 401s them."""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.permissions import AllowAny
from rest_framework_simplejwt.tokens import AccessToken

from tests import factories


def _api_views(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _api_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "cls"):
            yield prefix + str(entry.pattern), entry.callback.cls


def test_every_public_api_view_authenticates_nobody():
    offenders = []
    public = 0
    for route, cls in _api_views():
        if not route.startswith("api/v1/"):
            continue
        view = cls()
        if all(isinstance(permission, AllowAny) for permission in view.get_permissions()):
            public += 1
            if view.get_authenticators():
                offenders.append(f"{route} ({cls.__name__})")
    assert public > 3
    assert offenders == [], f"public views that 401 on a stale token; set authentication_classes = []: {offenders}"


@pytest.fixture
def stale_token_api(api, db):
    token = AccessToken.for_user(factories.CustomerFactory())
    token.set_exp(from_time=timezone.now() - timedelta(days=1), lifetime=timedelta(minutes=15))
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


@pytest.mark.parametrize("path", ["/api/v1/app-config/", "/api/v1/categories/", "/api/v1/plans/"])
def test_public_reads_answer_despite_an_expired_token(stale_token_api, path):
    assert stale_token_api.get(path).status_code == 200


def test_login_works_despite_an_expired_token(stale_token_api):
    user = factories.CustomerFactory()
    response = stale_token_api.post(
        "/api/v1/auth/token/", {"email": user.email, "password": factories.PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    assert set(response.json()) >= {"access", "refresh"}

"""Throttles for the endpoints people brute-force: login, register, password reset.

Counters live in the default cache (Redis in production and CI). Rates come from
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] and are read on every request (not frozen at
import), so a deployment or a test can change them through settings.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _ByClientThrottle(SimpleRateThrottle):
    """Keyed on the client IP (X-Forwarded-For honoured up to NUM_PROXIES) — these callers are anonymous."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginThrottle(_ByClientThrottle):
    scope = "login"


class RegisterThrottle(_ByClientThrottle):
    scope = "register"


class PasswordResetThrottle(_ByClientThrottle):
    scope = "password_reset"


class EmailVerifyResendThrottle(SimpleRateThrottle):
    """Per account: resending verification emails must not become a way to spam an inbox."""

    scope = "email_verify"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

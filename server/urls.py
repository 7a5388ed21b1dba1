from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from server.core import views as core_views

api_v1 = [
    path("", include("server.accounts.urls")),
    path("", include("server.plans.urls")),
    path("", include("server.payments.urls")),
    path("", include("server.bookings.urls")),
    path("", include("server.notifications.urls")),
    path("", include("server.core.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})
    )

handler400 = "server.core.views.bad_request"
handler403 = "server.core.views.permission_denied"
handler404 = "server.core.views.not_found"
handler500 = "server.core.views.server_error"

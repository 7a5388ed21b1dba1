from django.urls import path

from server.accounts import views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/password/reset/", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path("auth/password/reset/confirm/", views.PasswordResetConfirmView.as_view(), name="auth-password-reset-confirm"),
    path("auth/password/change/", views.PasswordChangeView.as_view(), name="auth-password-change"),
    path("auth/email/verify/", views.EmailVerifyView.as_view(), name="auth-email-verify"),
    path("auth/email/verify/resend/", views.EmailVerifyResendView.as_view(), name="auth-email-verify-resend"),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/addresses/", views.AddressListView.as_view(), name="me-addresses"),
    path("me/addresses/<int:pk>/", views.AddressDetailView.as_view(), name="me-address"),
    path("devices/", views.DeviceListView.as_view(), name="devices"),
    path("devices/<str:token>/", views.DeviceDetailView.as_view(), name="device"),
    path("admin/professionals/<int:pk>/approve/", views.ProfessionalApproveView.as_view(), name="professional-approve"),
]

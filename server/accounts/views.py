"""Thin views of the accounts API: parse input, call one service or selector, render."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from server.accounts import selectors, services
from server.accounts.models import Address, Device
from server.accounts.permissions import IsAdminRole
from server.accounts.serializers import (
    AddressInput,
    AddressOutput,
    AdminProfessionalOutput,
    DetailOutput,
    DeviceInput,
    DeviceOutput,
    EmailVerifyOutput,
    MeUpdateInput,
    PasswordChangeInput,
    PasswordResetConfirmInput,
    PasswordResetInput,
    RefreshInput,
    RegisterInput,
    RegisterOutput,
    TokenObtainInput,
    TokenPairOutput,
    UidTokenInput,
    UserOutput,
)
from server.accounts.throttles import (
    EmailVerifyResendThrottle,
    LoginThrottle,
    PasswordResetThrottle,
    RegisterThrottle,
)

AUTH_TAG = ["auth"]
ME_TAG = ["me"]


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _me(request, user_id: int) -> dict:
    user = selectors.user_get_profile(user_id=user_id)
    return UserOutput(user, context={"request": request}).data


class PublicView(APIView):
    """Anonymous endpoints: a stale Authorization header must not turn them into a 401."""

    permission_classes = [AllowAny]
    authentication_classes: list = []


# --- auth ---------------------------------------------------------------------------


class RegisterView(PublicView):
    throttle_classes = [RegisterThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        request=RegisterInput,
        responses={201: RegisterOutput},
        summary="Register as a customer (default) or a professional (starts unapproved)",
    )
    def post(self, request):
        data = _valid(RegisterInput, request)
        user = services.user_register(**data)
        tokens = services.tokens_for_user(user=user)
        return Response({"user": _me(request, user.pk), **tokens}, status=status.HTTP_201_CREATED)


class TokenObtainView(PublicView):
    throttle_classes = [LoginThrottle]
    schema_extra_errors = {401: "invalid_credentials: unknown account, wrong password or inactive account."}

    @extend_schema(
        tags=AUTH_TAG,
        request=TokenObtainInput,
        responses={200: TokenPairOutput},
        summary="Log in with email or phone (E.164) and password",
    )
    def post(self, request):
        data = _valid(TokenObtainInput, request)
        return Response(services.user_login(**data))


class TokenRefreshView(PublicView):
    schema_extra_errors = {401: "token_not_valid: the refresh token is expired, malformed or blacklisted."}

    @extend_schema(
        tags=AUTH_TAG,
        request=RefreshInput,
        responses={200: TokenPairOutput},
        summary="Exchange a refresh token for a new pair (the old refresh token stops working)",
    )
    def post(self, request):
        data = _valid(RefreshInput, request)
        return Response(services.token_refresh(refresh=data["refresh"]))


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]
    schema_extra_errors = {400: "invalid_token: the refresh token is not the caller's (nothing is blacklisted)."}

    @extend_schema(tags=AUTH_TAG, request=RefreshInput, responses={204: None}, summary="Blacklist a refresh token")
    def post(self, request):
        data = _valid(RefreshInput, request)
        services.user_logout(user=request.user, refresh=data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(PublicView):
    throttle_classes = [PasswordResetThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        request=PasswordResetInput,
        responses={202: DetailOutput},
        summary="Email a password-reset link (same answer whether or not the account exists)",
    )
    def post(self, request):
        data = _valid(PasswordResetInput, request)
        services.password_reset_request(email=data["email"])
        return Response(
            {"detail": "If an account uses this email, a reset link is on its way."}, status=status.HTTP_202_ACCEPTED
        )


class PasswordResetConfirmView(PublicView):
    schema_extra_errors = {400: "invalid_token (wrong, used or expired link) or validation_error on new_password."}

    @extend_schema(
        tags=AUTH_TAG,
        request=PasswordResetConfirmInput,
        responses={204: None},
        summary="Set a new password with the emailed uid and token; logs out every session",
    )
    def post(self, request):
        data = _valid(PasswordResetConfirmInput, request)
        services.password_reset_confirm(**data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerifyView(PublicView):
    schema_extra_errors = {400: "invalid_token: wrong, used or expired link."}

    @extend_schema(
        tags=AUTH_TAG,
        request=UidTokenInput,
        responses={200: EmailVerifyOutput},
        summary="Confirm the email address with the emailed uid and token",
    )
    def post(self, request):
        data = _valid(UidTokenInput, request)
        user = services.email_verify(**data)
        return Response({"email_verified": user.email_verified})


class EmailVerifyResendView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [EmailVerifyResendThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        request=None,
        responses={202: DetailOutput},
        summary="Email a new verification link (nothing is sent when already verified)",
    )
    def post(self, request):
        sent = services.email_verification_resend(user=request.user)
        detail = "A verification link is on its way." if sent else "Your email is already verified."
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=AUTH_TAG,
        request=PasswordChangeInput,
        responses={200: TokenPairOutput},
        summary="Change the password; other sessions are logged out and a fresh pair is returned",
    )
    def post(self, request):
        data = _valid(PasswordChangeInput, request)
        return Response(services.password_change(user=request.user, **data))


# --- me -------------------------------------------------------------------------------


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=ME_TAG, responses=UserOutput, summary="My profile")
    def get(self, request):
        return Response(_me(request, request.user.pk))

    @extend_schema(
        tags=ME_TAG,
        request={"application/json": MeUpdateInput, "multipart/form-data": MeUpdateInput},
        responses=UserOutput,
        summary="Change my name, phone, avatar (multipart) or professional profile",
    )
    def patch(self, request):
        data = _valid(MeUpdateInput, request, partial=True)
        services.user_profile_update(user=request.user, **data)
        return Response(_me(request, request.user.pk))


class AddressListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = AddressOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Address.objects.none()
        return selectors.address_list(user=self.request.user)

    @extend_schema(tags=ME_TAG, summary="My saved addresses")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=ME_TAG, request=AddressInput, responses={201: AddressOutput}, summary="Save an address")
    def post(self, request):
        data = _valid(AddressInput, request)
        address = services.address_create(user=request.user, **data)
        return Response(AddressOutput(address).data, status=status.HTTP_201_CREATED)


class AddressDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=ME_TAG, responses=AddressOutput, summary="One of my addresses")
    def get(self, request, pk: int):
        return Response(AddressOutput(selectors.address_get(user=request.user, address_id=pk)).data)

    @extend_schema(tags=ME_TAG, request=AddressInput, responses=AddressOutput, summary="Change one of my addresses")
    def patch(self, request, pk: int):
        data = _valid(AddressInput, request, partial=True)
        address = services.address_update(user=request.user, address_id=pk, **data)
        return Response(AddressOutput(address).data)

    @extend_schema(tags=ME_TAG, responses={204: None}, summary="Delete one of my addresses")
    def delete(self, request, pk: int):
        services.address_delete(user=request.user, address_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- devices ------------------------------------------------------------------------------


class DeviceListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = DeviceOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Device.objects.none()
        return selectors.device_list(user=self.request.user)

    @extend_schema(tags=["devices"], summary="My registered devices (FCM tokens)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["devices"],
        request=DeviceInput,
        responses={
            201: OpenApiResponse(DeviceOutput, description="Registered (new, or moved from another account)."),
            200: OpenApiResponse(DeviceOutput, description="Already registered to me; platform and last seen updated."),
        },
        summary="Register an FCM token for push",
    )
    def post(self, request):
        data = _valid(DeviceInput, request)
        device, created = services.device_register(user=request.user, **data)
        return Response(DeviceOutput(device).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class DeviceDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["devices"], responses={204: None}, summary="Drop one of my FCM tokens")
    def delete(self, request, token: str):
        services.device_delete(user=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- admin ---------------------------------------------------------------------------------


class ProfessionalApproveView(APIView):
    permission_classes = [IsAdminRole]

    @extend_schema(
        tags=["admin"],
        request=None,
        responses=AdminProfessionalOutput,
        summary="Approve a registered professional (id is the user id); idempotent",
    )
    def post(self, request, pk: int):
        services.professional_approve(professional_id=pk, actor=request.user)
        return Response(AdminProfessionalOutput(selectors.professional_get(user_id=pk)).data)

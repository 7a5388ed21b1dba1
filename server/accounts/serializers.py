"""Input and output shapes of the accounts API (no business rules here)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers

from server.accounts.models import Address, Device, Platform, ProfessionalProfile, Role, User
from server.plans.models import Category

PASSWORD_MAX = 128
TOKEN_MAX = 512
ALLOWED_AVATAR_FORMATS = {"JPEG", "PNG", "WEBP"}


class E164Field(PhoneNumberField):
    """A phone number in E.164 (`+919876543210`); returned as that string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        number = super().to_internal_value(data)
        return number.as_e164 if number else None


def _phone(value) -> str | None:
    return str(value.as_e164) if value else None


# --- output -----------------------------------------------------------------------


class AddressOutput(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ["id", "label", "line1", "line2", "city", "postcode", "lat", "lng", "is_default", "created_at"]
        read_only_fields = fields


class ProfessionalProfileOutput(serializers.ModelSerializer):
    categories = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = ProfessionalProfile
        fields = [
            "categories",
            "city",
            "experience_years",
            "bio",
            "is_available",
            "is_approved",
            "approved_at",
            "rating_avg",
            "rating_count",
        ]
        read_only_fields = fields


class UserOutput(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()
    avatar = serializers.SerializerMethodField()
    addresses = AddressOutput(many=True, read_only=True)
    professional_profile = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "phone",
            "full_name",
            "role",
            "email_verified",
            "avatar",
            "date_joined",
            "addresses",
            "professional_profile",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="E.164"))
    def get_phone(self, user: User) -> str | None:
        return _phone(user.phone)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar(self, user: User) -> str | None:
        if not user.avatar:
            return None
        request = self.context.get("request")
        url = user.avatar.url
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(ProfessionalProfileOutput(allow_null=True))
    def get_professional_profile(self, user: User):
        if user.role != Role.PROFESSIONAL:
            return None
        profile = getattr(user, "professional_profile", None)
        return ProfessionalProfileOutput(profile).data if profile is not None else None


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RegisterOutput(TokenPairOutput):
    user = UserOutput()


class DetailOutput(serializers.Serializer):
    detail = serializers.CharField()


class EmailVerifyOutput(serializers.Serializer):
    email_verified = serializers.BooleanField()


class DeviceOutput(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["token", "platform", "created_at", "last_seen_at"]
        read_only_fields = fields


class AdminProfessionalOutput(ProfessionalProfileOutput):
    id = serializers.IntegerField(source="user_id", help_text="The professional's user id.")
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    phone = serializers.SerializerMethodField()
    approved_by = serializers.IntegerField(source="approved_by_id", allow_null=True)

    class Meta(ProfessionalProfileOutput.Meta):
        fields = ["id", "email", "full_name", "phone", *ProfessionalProfileOutput.Meta.fields, "approved_by"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="E.164"))
    def get_phone(self, profile: ProfessionalProfile) -> str | None:
        return _phone(profile.user.phone)


# --- input ------------------------------------------------------------------------


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=PASSWORD_MAX, trim_whitespace=False, write_only=True)
    full_name = serializers.CharField(max_length=150)
    phone = E164Field(required=False, allow_null=True, allow_blank=True)
    role = serializers.ChoiceField(
        choices=[(Role.CUSTOMER.value, "Customer"), (Role.PROFESSIONAL.value, "Professional")],
        default=Role.CUSTOMER.value,
    )


class TokenObtainInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254, required=False)
    phone = E164Field(required=False)
    password = serializers.CharField(max_length=PASSWORD_MAX, trim_whitespace=False, write_only=True)

    def validate(self, attrs):
        if bool(attrs.get("email")) == bool(attrs.get("phone")):
            raise serializers.ValidationError({"email": ["Give either email or phone."]})
        return attrs


class RefreshInput(serializers.Serializer):
    refresh = serializers.CharField(max_length=2048)


class PasswordResetInput(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class UidTokenInput(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


class PasswordResetConfirmInput(UidTokenInput):
    new_password = serializers.CharField(max_length=PASSWORD_MAX, trim_whitespace=False, write_only=True)


class PasswordChangeInput(serializers.Serializer):
    old_password = serializers.CharField(max_length=PASSWORD_MAX, trim_whitespace=False, write_only=True)
    new_password = serializers.CharField(max_length=PASSWORD_MAX, trim_whitespace=False, write_only=True)


@extend_schema_field(OpenApiTypes.BINARY)
class AvatarField(serializers.ImageField):
    """An image (JPEG, PNG or WebP, checked by Pillow) no larger than settings.AVATAR_MAX_BYTES."""

    def to_internal_value(self, data):
        size = getattr(data, "size", None)
        if size is not None and size > settings.AVATAR_MAX_BYTES:
            raise serializers.ValidationError(f"The image is larger than {settings.AVATAR_MAX_BYTES} bytes.")
        image_file = super().to_internal_value(data)  # Pillow opens and verifies it
        image_format = getattr(getattr(image_file, "image", None), "format", None)
        if image_format not in ALLOWED_AVATAR_FORMATS:
            raise serializers.ValidationError("Upload a JPEG, PNG or WebP image.")
        return image_file


class ProfessionalProfileInput(serializers.Serializer):
    categories = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Category.objects.filter(is_active=True), required=False
    )
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    experience_years = serializers.IntegerField(min_value=0, max_value=80, required=False)
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    is_available = serializers.BooleanField(required=False)

    def validate_categories(self, value):
        if len(value) > 50:
            raise serializers.ValidationError("At most 50 categories.")
        return value


class MeUpdateInput(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, required=False)
    phone = E164Field(required=False, allow_null=True, allow_blank=True)
    avatar = AvatarField(required=False, allow_null=True)
    professional_profile = ProfessionalProfileInput(required=False)


class AddressInput(serializers.Serializer):
    label = serializers.CharField(max_length=50, required=False, allow_blank=True)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100)
    postcode = serializers.CharField(max_length=20)
    lat = serializers.DecimalField(9, 6, min_value=Decimal(-90), max_value=Decimal(90), required=False, allow_null=True)
    lng = serializers.DecimalField(
        9, 6, min_value=Decimal(-180), max_value=Decimal(180), required=False, allow_null=True
    )
    is_default = serializers.BooleanField(required=False)


class DeviceInput(serializers.Serializer):
    token = serializers.CharField(max_length=TOKEN_MAX)
    platform = serializers.ChoiceField(choices=Platform.choices)

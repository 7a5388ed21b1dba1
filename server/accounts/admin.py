"""The web panel for people: users by role, professional approval, addresses and devices inline."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashField
from django.contrib.auth.password_validation import validate_password
from django.db.models import QuerySet

from server.accounts.models import STAFF_ROLES, Address, Device, ProfessionalProfile, Role, User
from server.accounts.services import professional_approve, professional_profile_ensure
from server.core.errors import ApplicationError


class UserCreationForm(forms.ModelForm):
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password (again)", strip=False, widget=forms.PasswordInput)

    class Meta:
        model = User
        fields = ("email", "full_name", "phone", "role")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists.")
        return email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            try:
                validate_password(p1, self.instance)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        user.is_staff = user.role in STAFF_ROLES
        if commit:
            user.save()
        return user


class UserChangeForm(forms.ModelForm):
    password = ReadOnlyPasswordHashField(
        label="Password", help_text="Passwords are not stored in clear; use the reset form to set one."
    )

    class Meta:
        model = User
        fields = (
            "email",
            "password",
            "full_name",
            "phone",
            "avatar",
            "role",
            "email_verified",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )


class ProfessionalProfileInline(admin.StackedInline):
    model = ProfessionalProfile
    fk_name = "user"
    can_delete = False
    extra = 0
    filter_horizontal = ("categories",)
    readonly_fields = ("is_approved", "approved_by", "approved_at", "rating_avg", "rating_count")
    fields = (
        "categories",
        "city",
        "experience_years",
        "bio",
        "is_available",
        "is_approved",
        "approved_by",
        "approved_at",
        "rating_avg",
        "rating_count",
    )


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = ("label", "line1", "line2", "city", "postcode", "is_default")


class DeviceInline(admin.TabularInline):
    model = Device
    extra = 0
    fields = ("platform", "token", "created_at", "last_seen_at")
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ApprovalFilter(admin.SimpleListFilter):
    title = "professional approval"
    parameter_name = "approved"

    def lookups(self, request, model_admin):
        return [("yes", "Approved"), ("no", "Waiting for approval")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(role=Role.PROFESSIONAL, professional_profile__is_approved=True)
        if self.value() == "no":
            return queryset.filter(role=Role.PROFESSIONAL, professional_profile__is_approved=False)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("-date_joined",)
    list_display = ("email", "full_name", "phone", "role", "email_verified", "approved", "is_active", "date_joined")
    list_filter = ("role", ApprovalFilter, "is_active", "email_verified")
    search_fields = ("email", "phone", "full_name")
    list_select_related = ("professional_profile",)
    readonly_fields = ("date_joined", "last_login", "updated_at")
    actions = ["approve_professionals"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "phone", "avatar", "role", "email_verified")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("date_joined", "last_login", "updated_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "phone", "role", "password1", "password2")}),
    )
    filter_horizontal = ("groups", "user_permissions")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        professional_profile_ensure(user=obj)

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        inlines = [AddressInline, DeviceInline]
        if obj.role == Role.PROFESSIONAL:
            inlines.insert(0, ProfessionalProfileInline)
        return inlines

    @admin.display(boolean=True, description="approved")
    def approved(self, obj: User) -> bool | None:
        if obj.role != Role.PROFESSIONAL:
            return None
        profile = getattr(obj, "professional_profile", None)
        return bool(profile and profile.is_approved)

    @admin.action(description="Approve selected professionals")
    def approve_professionals(self, request, queryset: QuerySet[User]) -> None:
        approved = skipped = 0
        for user_id in queryset.filter(role=Role.PROFESSIONAL).values_list("pk", flat=True):
            try:
                professional_approve(professional_id=user_id, actor=request.user)
                approved += 1
            except ApplicationError as exc:
                skipped += 1
                self.message_user(request, f"User {user_id}: {exc.message}", messages.WARNING)
        skipped += queryset.exclude(role=Role.PROFESSIONAL).count()
        self.message_user(request, f"Approved {approved} professional(s); skipped {skipped}.", messages.SUCCESS)

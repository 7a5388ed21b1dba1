"""Professional approval (API and panel), role permissions, throttles, and the User admin."""

import pytest
from django.urls import reverse

from server.accounts.models import ProfessionalProfile, Role, User
from tests import factories
from tests.accounts.conftest import error_code

pytestmark = pytest.mark.django_db


def approve_url(user_id):
    return f"/api/v1/admin/professionals/{user_id}/approve/"


@pytest.fixture
def pending_pro():
    user = factories.UserFactory(role=Role.PROFESSIONAL)
    factories.ProfessionalProfileFactory(user=user, is_approved=False)
    return user


# --- approval ---------------------------------------------------------------------------------


def test_an_admin_approves_a_professional_by_user_id(admin_api, admin_user, pending_pro):
    response = admin_api.post(approve_url(pending_pro.pk))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == pending_pro.pk
    assert body["is_approved"] is True
    assert body["approved_by"] == admin_user.pk
    profile = ProfessionalProfile.objects.get(user=pending_pro)
    assert profile.is_approved and profile.approved_by == admin_user and profile.approved_at


def test_approving_twice_is_idempotent(admin_api, pending_pro):
    first = admin_api.post(approve_url(pending_pro.pk)).json()
    second = admin_api.post(approve_url(pending_pro.pk))

    assert second.status_code == 200
    assert second.json()["approved_at"] == first["approved_at"]


@pytest.mark.parametrize("who", ["support_api", "customer_api", "professional_api"])
def test_only_admins_may_approve(request, who, pending_pro):
    response = request.getfixturevalue(who).post(approve_url(pending_pro.pk))

    assert response.status_code == 403
    assert error_code(response) == "permission_denied"
    assert ProfessionalProfile.objects.get(user=pending_pro).is_approved is False


def test_approving_anonymously_is_not_authenticated(api, pending_pro):
    response = api.post(approve_url(pending_pro.pk))

    assert response.status_code == 401
    assert ProfessionalProfile.objects.get(user=pending_pro).is_approved is False


def test_approving_a_non_professional_is_not_found(admin_api, customer):
    for user_id in (customer.pk, 999999):
        response = admin_api.post(approve_url(user_id))
        assert response.status_code == 404
        assert error_code(response) == "not_found"


# --- throttles --------------------------------------------------------------------------------


@pytest.fixture
def tight_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "login": "2/min",
            "register": "1/min",
            "password_reset": "1/min",
            "email_verify": "1/min",
        },
    }


def test_login_is_throttled(api, customer, tight_rates):
    bad = {"email": customer.email, "password": "wrong-wrong-wrong"}
    assert api.post("/api/v1/auth/token/", bad).status_code == 401
    assert api.post("/api/v1/auth/token/", bad).status_code == 401

    response = api.post("/api/v1/auth/token/", {"email": customer.email, "password": factories.PASSWORD})

    assert response.status_code == 429
    assert error_code(response) == "throttled"
    assert "Retry-After" in response.headers
    customer.refresh_from_db()
    assert customer.last_login is None


def test_register_is_throttled(api, tight_rates):
    body = {"email": "a@example.com", "password": "plumb-the-depths-42", "full_name": "A"}
    assert api.post("/api/v1/auth/register/", body).status_code == 201

    response = api.post("/api/v1/auth/register/", {**body, "email": "b@example.com"})

    assert response.status_code == 429
    assert error_code(response) == "throttled"
    assert not User.objects.filter(email="b@example.com").exists()


def test_password_reset_is_throttled(api, customer, tight_rates, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        assert api.post("/api/v1/auth/password/reset/", {"email": customer.email}).status_code == 202
        response = api.post("/api/v1/auth/password/reset/", {"email": customer.email})

    assert response.status_code == 429
    assert error_code(response) == "throttled"
    assert len(mail.outbox) == 1


def test_verification_resend_is_throttled_per_account(tight_rates, django_capture_on_commit_callbacks):
    from django.core import mail

    from tests.fixtures.api import client_for

    user = factories.CustomerFactory(email_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(user).post("/api/v1/auth/email/verify/resend/").status_code == 202
        response = client_for(user).post("/api/v1/auth/email/verify/resend/")

    assert response.status_code == 429
    assert error_code(response) == "throttled"
    assert len(mail.outbox) == 1


def test_throttles_count_per_client_address(api, customer, tight_rates):
    bad = {"email": customer.email, "password": "wrong-wrong-wrong"}
    for _ in range(2):
        api.post("/api/v1/auth/token/", bad, REMOTE_ADDR="10.0.0.1")

    assert api.post("/api/v1/auth/token/", bad, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert api.post("/api/v1/auth/token/", bad, REMOTE_ADDR="10.0.0.2").status_code == 401


# --- permission classes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("customer", {"IsCustomer", "IsCustomerOrProfessional"}),
        ("professional", {"IsProfessional", "IsCustomerOrProfessional"}),
        ("admin", {"IsAdminRole", "IsStaffRole"}),
        ("support", {"IsStaffRole"}),
    ],
)
def test_role_permissions(rf, role, allowed):
    from server.accounts import permissions

    user = factories.UserFactory(role=role)
    request = rf.get("/")
    request.user = user
    names = ["IsCustomer", "IsProfessional", "IsAdminRole", "IsStaffRole", "IsCustomerOrProfessional"]

    granted = {name for name in names if getattr(permissions, name)().has_permission(request, None)}

    assert granted == allowed
    user.is_active = False
    assert not any(getattr(permissions, name)().has_permission(request, None) for name in names)


# --- the panel --------------------------------------------------------------------------------


@pytest.fixture
def panel(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_user_admin_lists_searches_and_filters(panel, customer, pending_pro):
    changelist = reverse("admin:accounts_user_changelist")

    assert panel.get(changelist).status_code == 200
    found = panel.get(changelist, {"q": customer.email})
    assert customer.email in found.content.decode()
    waiting = panel.get(changelist, {"approved": "no"}).content.decode()
    assert pending_pro.email in waiting and customer.email not in waiting
    assert panel.get(changelist, {"role__exact": "customer"}).status_code == 200


def test_the_user_change_page_shows_the_inlines(panel, pending_pro):
    factories.AddressFactory(user=pending_pro)
    factories.DeviceFactory(user=pending_pro)

    page = panel.get(reverse("admin:accounts_user_change", args=[pending_pro.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "professional_profile" in html and "addresses" in html and "devices" in html


def test_the_admin_action_approves_professionals_through_the_service(panel, admin_user, pending_pro, customer):
    response = panel.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "approve_professionals", "_selected_action": [pending_pro.pk, customer.pk]},
        follow=True,
    )

    assert response.status_code == 200
    profile = ProfessionalProfile.objects.get(user=pending_pro)
    assert profile.is_approved and profile.approved_by == admin_user
    assert not ProfessionalProfile.objects.filter(user=customer).exists()


def test_the_admin_add_form_creates_a_professional_with_a_profile(panel):
    response = panel.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Pro@Example.com",
            "full_name": "Pro",
            "phone": "",
            "role": "professional",
            "password1": "plumb-the-depths-42",
            "password2": "plumb-the-depths-42",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="pro@example.com")
    assert user.check_password("plumb-the-depths-42")
    assert ProfessionalProfile.objects.filter(user=user, is_approved=False).exists()

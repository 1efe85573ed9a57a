"""Partner portal accounts: invitations from the admin, accepting them, sign-in (with django-axes),
password reset by e-mail and the optional two-factor step."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from enterprise_scanner.jobs.models import SentEmail
from leads.tests.factories import TEST_PASSWORD, SalesManagerFactory, UserFactory
from partners.models import MemberRole, Partner, PartnerInvite, PartnerMember, PartnerStatus
from partners.portal import services
from partners.tests.portal_fixtures import signed_in

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Quiet-harbour-lantern-42"


@pytest.fixture
def partner(db) -> Partner:
    return Partner.objects.create(
        name="Acme Security",
        referral_code="ACME-2026",
        status=PartnerStatus.ACTIVE,
        contact_email="ops@acme.example",
    )


def invite_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/partners/invite/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def invite_from_admin(django_capture_on_commit_callbacks):
    """A manager invites through the admin's "Invite to portal" page; returns the e-mailed link."""

    def invite(partner: Partner, email: str = "Dana@Acme.example") -> str:
        with django_capture_on_commit_callbacks(execute=True):
            _invite_from_admin(partner, email)
        return invite_link(mail.outbox[-1])

    return invite


def _invite_from_admin(partner: Partner, email: str) -> None:
    """A manager invites through the admin's "Invite to portal" page; returns the e-mailed link."""
    client = Client()
    client.force_login(SalesManagerFactory(username="manager"))
    url = reverse("admin:partners_partner_invite_to_portal", args=[partner.pk])
    page = client.get(url)
    assert page.status_code == 200 and "ops@acme.example" in page.content.decode()
    response = client.post(url, {"email": email, "role": MemberRole.OWNER})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_manager_invites_and_the_partner_accepts(client: Client, partner, invite_from_admin) -> None:
    link = invite_from_admin(partner)
    invite = PartnerInvite.objects.get()
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert invite.email == "dana@acme.example" and invite.sent_at is not None
    assert invite.token_hash == services.token_hash(token) and token not in invite.token_hash
    assert SentEmail.objects.filter(key=f"partner-invite:{invite.pk}").exists()
    assert mail.outbox[-1].to == ["dana@acme.example"]

    page = client.get(link)
    assert page.status_code == 200 and "Acme Security" in page.content.decode()
    response = client.post(
        link,
        {"first_name": "Dana", "last_name": "Lee", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == reverse("partner-portal:overview")
    member = PartnerMember.objects.select_related("user").get()
    assert member.partner == partner and member.role == MemberRole.OWNER
    assert member.user.is_staff is False and member.user.check_password(GOOD_PASSWORD)
    assert member.invited_by.username == "manager"
    assert client.get(reverse("partner-portal:overview")).status_code == 200

    # Used: the same link now says so, with no second account.
    again = Client().get(link)
    assert again.status_code == 410 and "already used" in again.content.decode()
    assert get_user_model().objects.filter(username="dana@acme.example").count() == 1


def test_the_invite_job_sends_once_even_when_run_again(partner, django_capture_on_commit_callbacks) -> None:
    manager = SalesManagerFactory(username="manager")
    with django_capture_on_commit_callbacks(execute=True):
        invite = services.invite_create(partner=partner, email="x@acme.example", invited_by=manager)
    assert len(mail.outbox) == 1
    assert services.invite_send(invite_id=invite.pk) is False
    assert len(mail.outbox) == 1


def test_the_partner_page_lists_members_and_invites(partner) -> None:
    services.invite_create(partner=partner, email="x@acme.example", invited_by=None)
    client = Client()
    client.force_login(SalesManagerFactory(username="manager"))
    body = client.get(reverse("admin:partners_partner_change", args=[partner.pk])).content.decode()
    assert "Portal invitations" in body and "x@acme.example" in body and "Invite to portal" in body


def test_invite_refusals_are_clear(partner) -> None:
    client = Client()
    client.force_login(SalesManagerFactory(username="manager"))
    url = reverse("admin:partners_partner_invite_to_portal", args=[partner.pk])
    UserFactory(username="taken@acme.example", email="taken@acme.example")
    response = client.post(url, {"email": "taken@acme.example", "role": "member"})
    assert response.status_code == 200 and "already has an account" in response.content.decode()
    response = client.post(url, {"email": "not-an-address", "role": "member"})
    assert response.status_code == 200 and "Enter a valid email address" in response.content.decode()
    assert PartnerInvite.objects.count() == 0


def test_a_rep_without_change_permission_cannot_invite(partner, rep_client) -> None:
    url = reverse("admin:partners_partner_invite_to_portal", args=[partner.pk])
    assert rep_client.post(url, {"email": "x@acme.example", "role": "member"}).status_code == 403
    assert PartnerInvite.objects.count() == 0


def test_expired_unknown_and_replaced_links_get_a_clear_page(
    client: Client, partner, invite_from_admin
) -> None:
    link = invite_from_admin(partner, "one@acme.example")
    PartnerInvite.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(link)
    assert response.status_code == 410 and "expired on" in response.content.decode()
    response = client.post(
        link, {"first_name": "A", "last_name": "B", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert response.status_code == 410 and not PartnerMember.objects.exists()

    assert client.get("/partners/invite/not-a-real-token/").status_code == 404

    first = invite_from_admin(partner, "two@acme.example")
    second = invite_from_admin(partner, "two@acme.example")
    assert first != second
    response = client.get(first)
    assert response.status_code == 410 and "replaced by a newer one" in response.content.decode()
    assert client.get(second).status_code == 200


def test_a_weak_password_shows_errors_and_keeps_the_names(client: Client, partner, invite_from_admin) -> None:
    link = invite_from_admin(partner)
    response = client.post(
        link, {"first_name": "Dana", "last_name": "Lee", "password1": "password1", "password2": "password1"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "This password is too common" in body or "too short" in body
    assert 'value="Dana"' in body and 'value="Lee"' in body
    response = client.post(
        link,
        {"first_name": "Dana", "last_name": "Lee", "password1": GOOD_PASSWORD, "password2": "different-42!"},
    )
    assert "The two passwords differ" in response.content.decode()
    assert not PartnerMember.objects.exists()


# --- Sign-in, lockout, password reset -----------------------------------------------------------


def test_sign_in_out_and_next(client: Client, world_a) -> None:
    response = client.get(reverse("partner-portal:commissions"))
    login_url = response["Location"]
    response = client.post(
        login_url,
        {"username": "pat@acme.example", "password": TEST_PASSWORD, "next": "/partners/commissions/"},
    )
    assert response.status_code == 302 and response["Location"] == "/partners/commissions/"
    response = client.post(reverse("partner-portal:logout"))
    assert response.status_code == 302
    assert client.get(reverse("partner-portal:overview")).status_code == 302


def test_a_wrong_password_says_so_and_keeps_the_address(client: Client, world_a) -> None:
    response = client.post(
        reverse("partner-portal:login"), {"username": "pat@acme.example", "password": "nope"}
    )
    body = response.content.decode()
    assert (
        response.status_code == 200
        and "Please enter a correct" in body
        and 'value="pat@acme.example"' in body
    )


def test_django_axes_locks_the_portal_sign_in_too(client: Client, world_a, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("partner-portal:login"), {"username": "pat@acme.example", "password": "wrong"})
    response = client.post(
        reverse("partner-portal:login"), {"username": "pat@acme.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_suspended_partner_cannot_sign_in(client: Client, world_a) -> None:
    Partner.objects.filter(pk=world_a.partner.pk).update(status=PartnerStatus.SUSPENDED)
    response = client.post(
        reverse("partner-portal:login"), {"username": "pat@acme.example", "password": TEST_PASSWORD}
    )
    assert "suspended" in response.content.decode() and "_auth_user_id" not in client.session


def test_password_reset_by_email(client: Client, world_a) -> None:
    response = client.post(reverse("partner-portal:password-reset"), {"email": "PAT@acme.example"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "partner-portal:password-reset-done"
    )
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    match = re.search(r"https?://[^/\s]+(/partners/password-reset/[^\s]+/[^\s]+/)", body)
    assert match, body
    response = client.get(match.group(1))
    assert response.status_code == 302  # Django swaps the token for a session value first
    set_url = response["Location"]
    response = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert response.status_code == 200 and "too short" in response.content.decode()
    response = client.post(set_url, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert response["Location"] == reverse("partner-portal:password-reset-complete")
    world_a.member.user.refresh_from_db()
    assert world_a.member.user.check_password(GOOD_PASSWORD)
    # The link works once.
    assert "cannot be used" in client.get(match.group(1), follow=True).content.decode()


def test_password_reset_sends_nothing_for_staff_or_unknown_addresses(client: Client, world_a) -> None:
    UserFactory(username="rep", email="rep@enterprisescanner.test")
    for email in ("rep@enterprisescanner.test", "nobody@example.com"):
        response = client.post(reverse("partner-portal:password-reset"), {"email": email})
        assert response.status_code == 302
    assert mail.outbox == []


# --- Two-factor sign-in ------------------------------------------------------------------------


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_enable_2fa_then_sign_in_asks_for_the_code(client: Client, world_a) -> None:
    signed_in(client, world_a.member)
    page = client.get(reverse("partner-portal:security"))
    assert "Off." in page.content.decode()
    assert client.get(reverse("partner-portal:security-qr"))["Content-Type"] == "image/svg+xml"
    device = TOTPDevice.objects.get(user=world_a.member.user)
    response = client.post(
        reverse("partner-portal:security"),
        {"token": "000000" if current_code(device) != "000000" else "111111"},
    )
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    response = client.post(reverse("partner-portal:security"), {"token": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert "On." in client.get(reverse("partner-portal:security")).content.decode()

    # A fresh sign-in: the password alone is not enough.
    other = Client()
    response = other.post(
        reverse("partner-portal:login"), {"username": "pat@acme.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("partner-portal:login-code")
    )
    assert "_auth_user_id" not in other.session
    assert other.get(reverse("partner-portal:overview")).status_code == 302
    response = other.post(response["Location"], {"token": "12345x"})
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp, device.last_t = 0, None, -1
    device.save()
    response = other.post(reverse("partner-portal:login-code"), {"token": current_code(device)})
    assert response.status_code == 302 and response["Location"] == reverse("partner-portal:overview")
    assert other.get(reverse("partner-portal:overview")).status_code == 200


def test_the_code_step_without_a_password_first_goes_back_to_sign_in(client: Client) -> None:
    response = client.get(reverse("partner-portal:login-code"))
    assert response.status_code == 302 and response["Location"] == reverse("partner-portal:login")


def test_a_session_that_skipped_the_code_step_is_sent_back(client: Client, world_a) -> None:
    device = TOTPDevice.objects.create(user=world_a.member.user, name="App", confirmed=True)
    assert device.pk
    client.force_login(world_a.member.user)  # signed in without the portal's code step
    response = client.get(reverse("partner-portal:overview"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("partner-portal:login"))


def test_an_owner_invites_a_colleague_from_the_portal(
    client: Client, world_a, world_b, django_capture_on_commit_callbacks
) -> None:
    signed_in(client, world_a.member)
    response = client.post(reverse("partner-portal:team"), {"email": "bad"})
    assert "Enter a valid email address" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partner-portal:team"), {"email": "sam@acme.example"})
    assert response.status_code == 302
    invite = PartnerInvite.objects.get()
    assert invite.partner == world_a.partner and invite.role == MemberRole.MEMBER
    assert invite.invited_by == world_a.member.user
    assert mail.outbox[-1].to == ["sam@acme.example"] and "Pat Partner invited you" in mail.outbox[-1].body
    page = client.get(reverse("partner-portal:team")).content.decode()
    assert "sam@acme.example" in page and "kim@bolt.example" not in page


def test_a_member_cannot_invite(client: Client, world_a) -> None:
    PartnerMember.objects.filter(pk=world_a.member.pk).update(role=MemberRole.MEMBER)
    signed_in(client, world_a.member)
    assert "ask an owner" in client.get(reverse("partner-portal:team")).content.decode()
    assert client.post(reverse("partner-portal:team"), {"email": "sam@acme.example"}).status_code == 403
    assert not PartnerInvite.objects.exists()


def test_a_superuser_switches_off_2fa_for_a_partner_who_lost_the_phone(admin_client, world_a) -> None:
    device = TOTPDevice.objects.create(user=world_a.member.user, name="App", confirmed=True)
    listed = admin_client.get(reverse("admin:otp_totp_totpdevice_changelist")).content.decode()
    assert "pat@acme.example" in listed and device.key not in listed
    assert admin_client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert response.status_code == 302 and not TOTPDevice.objects.exists()
    client = Client()
    response = client.post(
        reverse("partner-portal:login"), {"username": "pat@acme.example", "password": TEST_PASSWORD}
    )
    assert response["Location"] == reverse("partner-portal:overview")


def test_a_partner_has_at_most_20_open_invitations(partner) -> None:
    for i in range(services.MAX_OPEN_INVITES):
        services.invite_create(partner=partner, email=f"p{i}@acme.example", invited_by=None)
    with pytest.raises(ValidationError, match="20 open invitations"):
        services.invite_create(partner=partner, email="one-more@acme.example", invited_by=None)
    # Re-inviting an address replaces its link, so it stays possible at the limit.
    services.invite_create(partner=partner, email="p0@acme.example", invited_by=None)


def test_the_partner_page_query_count_does_not_grow_with_members_and_invites(partner) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners.tests.portal_fixtures import partner_user

    client = Client()
    client.force_login(SalesManagerFactory(username="manager"))
    url = reverse("admin:partners_partner_change", args=[partner.pk])
    counts = []
    for batch in range(2):
        for i in range(4):
            services.invite_create(partner=partner, email=f"b{batch}-{i}@acme.example", invited_by=None)
            partner_user(partner=partner, email=f"m{batch}-{i}@acme.example")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]

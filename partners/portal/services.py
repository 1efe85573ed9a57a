"""State changes of the partner portal: invitations, accounts, two-factor devices, deal registration.

Invitation tokens: the link's token is made by the e-mail job itself, stored only as a SHA-256
and sent in the same transaction (`send_once`). Nothing holds the token but the e-mail: not the
invitation row, not the job's arguments (those are a database row too). A worker killed between
handing the mail over and COMMIT sends a second e-mail with a new token on its re-run; the first
link then says "unknown or replaced", which is the safe side.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from enterprise_scanner.jobs.mail import send_once
from enterprise_scanner.task_queue import enqueue_with_transaction
from leads.models import Lead, LeadSource
from leads.services import LeadSubmission, lead_submit

from ..models import MemberRole, Partner, PartnerInvite, PartnerMember, PartnerStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

User = get_user_model()

#: Open invitations one partner may have at once, so a partner account cannot be used to send
#: our e-mail to any number of addresses.
MAX_OPEN_INVITES = 20


def token_hash(token: str) -> str:
    """What is stored of an invitation token (the token has 256 random bits: no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- Invitations ------------------------------------------------------------------------------


@transaction.atomic
def invite_create(
    *,
    partner: Partner,
    email: str,
    invited_by: AbstractBaseUser | None,
    role: str = MemberRole.MEMBER,
) -> PartnerInvite:
    """Invite `email` to `partner`'s portal: the invitation row and its e-mail job, in one
    transaction. An earlier open invitation of the same address to the same partner is revoked
    (its link stops working), so "invite again" is also "resend". Refused with ValidationError
    on `email` for a bad address, an address that already has an account, or a suspended partner."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from exc
    if role not in MemberRole.values:
        raise ValidationError({"role": "Choose owner or member."})
    if partner.status == PartnerStatus.SUSPENDED:
        raise ValidationError({"email": f"{partner.name} is suspended: activate the partner first."})
    if (
        User.objects.filter(username__iexact=email).exists()
        or User.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationError(
            {"email": f"{email} already has an account; they can sign in or reset their password."}
        )
    now = timezone.now()
    PartnerInvite.objects.filter(
        partner=partner, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    open_invites = PartnerInvite.objects.filter(
        partner=partner, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).count()
    if open_invites >= MAX_OPEN_INVITES:
        raise ValidationError(
            {
                "email": f"{partner.name} has {open_invites} open invitations; wait until some are accepted or expire."
            }
        )
    invite = PartnerInvite.objects.create(
        partner=partner,
        email=email,
        role=role,
        invited_by=invited_by,
        expires_at=now + timedelta(days=settings.PARTNER_INVITE_DAYS),
        created_at=now,
    )
    from ..tasks import partner_invite_send_task  # the tasks module imports this one

    enqueue_with_transaction(partner_invite_send_task, invite.pk)
    return invite


@transaction.atomic
def invite_send(*, invite_id: int) -> bool:
    """The invitation e-mail, at most once per invitation (see the module docstring). Makes the
    token, stores its hash and sends last; False when there is nothing to send (sent before,
    accepted, revoked or expired in the meantime)."""
    invite = (
        PartnerInvite.objects.select_for_update(of=("self",))
        .select_related("partner", "invited_by")
        .filter(pk=invite_id)
        .first()
    )
    if invite is None or invite.sent_at is not None or invite.state != "open":
        return False
    token = secrets.token_urlsafe(32)
    invite.token_hash, invite.sent_at = token_hash(token), timezone.now()
    invite.save(update_fields=["token_hash", "sent_at"])
    context = {
        "invite": invite,
        "accept_url": settings.SITE_URL + reverse("partner-portal:invite-accept", args=[token]),
        "inviter": (invite.invited_by.get_full_name() or invite.invited_by.get_username())
        if invite.invited_by
        else "Enterprise Scanner",
    }
    message = EmailMultiAlternatives(
        subject=f"Your invitation to the Enterprise Scanner partner portal ({invite.partner.name})"[:200],
        body=render_to_string("partners/portal/email/invite.txt", context),
        to=[invite.email],
    )
    message.attach_alternative(render_to_string("partners/portal/email/invite.html", context), "text/html")
    if not send_once(message, key=f"partner-invite:{invite.pk}"):
        transaction.set_rollback(True)
        return False
    return True


def invite_find(*, token: str) -> PartnerInvite | None:
    """The invitation this link's token belongs to, or None (unknown, or replaced by a resend)."""
    if not token or len(token) > 100:
        return None
    return PartnerInvite.objects.select_related("partner").filter(token_hash=token_hash(token)).first()


@dataclass(frozen=True)
class Account:
    first_name: str
    last_name: str
    password: str


@transaction.atomic
def invite_accept(*, token: str, account: Account) -> PartnerMember:
    """Accept an invitation: a non-staff user (username = the invited address) and their
    membership. Raises ValidationError with a message for the page when the invitation cannot be
    used (unknown, used, revoked, expired) or, per field, when the password is refused."""
    found = invite_find(token=token)
    if found is None:
        raise ValidationError("This invitation link is not valid. It may have been replaced by a newer one.")
    invite = PartnerInvite.objects.select_for_update().select_related("partner").get(pk=found.pk)
    refusal = invite_refusal(invite)
    if refusal:
        raise ValidationError(refusal)
    if User.objects.filter(username__iexact=invite.email).exists():
        raise ValidationError(f"{invite.email} already has an account: sign in instead.")
    user = User(
        username=invite.email,
        email=invite.email,
        first_name=account.first_name.strip()[:150],
        last_name=account.last_name.strip()[:150],
        is_staff=False,
        is_superuser=False,
    )
    try:
        password_validation.validate_password(account.password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from exc
    user.set_password(account.password)
    user.save()
    member = PartnerMember.objects.create(
        user=user, partner=invite.partner, role=invite.role, invited_by=invite.invited_by
    )
    invite.accepted_at = timezone.now()
    invite.save(update_fields=["accepted_at"])
    return member


def invite_refusal(invite: PartnerInvite) -> str | None:
    """Why this invitation cannot be accepted, in words for the person holding the link."""
    state = invite.state
    if state == "accepted":
        return "This invitation was already used. Sign in with the password you chose, or reset it."
    if state == "revoked":
        return "This invitation was replaced by a newer one. Use the link in the latest e-mail."
    if state == "expired":
        return (
            f"This invitation expired on {timezone.localtime(invite.expires_at):%d %B %Y}. "
            "Ask your contact at Enterprise Scanner to send a new one."
        )
    if invite.partner.status == PartnerStatus.SUSPENDED:
        return "This partner account is suspended. Contact Enterprise Scanner."
    return None


# --- Two-factor sign-in (TOTP) ----------------------------------------------------------------


def totp_device_pending(*, user: AbstractBaseUser) -> TOTPDevice:
    """The not yet confirmed authenticator being enrolled, made on first ask (one per user)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, user: AbstractBaseUser, token: str) -> TOTPDevice:
    """Switch two-factor sign-in on: the code from the app proves it holds the secret."""
    device = totp_device_pending(user=user)
    if not device.verify_token((token or "").strip().replace(" ", "")):
        raise ValidationError({"token": "That code is not right. Enter the 6 digits the app shows now."})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device


@transaction.atomic
def totp_disable(*, user: AbstractBaseUser, token: str) -> None:
    """Switch two-factor sign-in off; a current code is required, so a session left open on a
    shared computer cannot quietly turn it off."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return
    if not device.verify_token((token or "").strip().replace(" ", "")):
        raise ValidationError({"token": "That code is not right. Enter the 6 digits the app shows now."})
    TOTPDevice.objects.filter(user=user).delete()


# --- Deal registration ------------------------------------------------------------------------


@dataclass(frozen=True)
class DealRegistration:
    company: str
    email: str
    first_name: str = ""
    last_name: str = ""
    job_title: str = ""
    notes: str = ""


@dataclass(frozen=True)
class DealOutcome:
    lead: Lead
    created: bool
    attributed: bool


def deal_register(*, member: PartnerMember, deal: DealRegistration) -> DealOutcome:
    """A partner registers a deal: it goes through lead intake like any form (a known e-mail adds
    to its lead, nothing is lost) with the partner's referral code, so attribution follows the
    one rule (`referral_apply`: first partner wins). `attributed` says whether the lead is now
    this partner's; if another partner came first, sales sees both on the timeline."""
    partner = member.partner
    if partner.status != PartnerStatus.ACTIVE:
        raise ValidationError(
            "Your partner account is not active yet, so deals cannot be registered. Contact Enterprise Scanner."
        )
    submission = LeadSubmission(
        email=deal.email.strip(),
        form=LeadSource.PARTNER,
        first_name=deal.first_name.strip(),
        last_name=deal.last_name.strip(),
        company=deal.company.strip(),
        job_title=deal.job_title.strip(),
        message=deal.notes.strip(),
        referral_code=partner.referral_code,
    )
    who = member.user.get_username()
    lead, created = lead_submit(submission=submission, actor_label=f"partner portal: {partner.name} ({who})")
    lead.refresh_from_db(fields=["partner"])  # referral_apply credited a copy of the row it locked
    return DealOutcome(lead=lead, created=created, attributed=lead.partner_id == partner.pk)

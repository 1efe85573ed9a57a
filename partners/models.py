"""Partners who refer leads, and the commissions they earn on won deals."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Upper
from django.utils import timezone


class PartnerType(models.TextChoices):
    REFERRAL = "referral", "Referral partner"
    RESELLER = "reseller", "Reseller"
    MSSP = "mssp", "Managed security provider"
    TECHNOLOGY = "technology", "Technology partner"


class PartnerStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class Partner(models.Model):
    name = models.CharField(max_length=200)
    partner_type = models.CharField(max_length=20, choices=PartnerType.choices, default=PartnerType.REFERRAL)
    contact_email = models.EmailField(blank=True)
    referral_code = models.CharField(
        max_length=32, unique=True, help_text="Upper-case letters, digits and dashes, e.g. ACME-2026."
    )
    commission_rate = models.DecimalField(
        max_digits=5, decimal_places=4, default=Decimal("0.1000"), help_text="0.10 means 10 %."
    )
    commission_tiers = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            'Optional higher rates for larger deals: [{"min_deal_value": "100000", "rate": "0.12"}, …]. '
            "The tier with the largest minimum not above the deal value applies; otherwise the base rate."
        ),
    )
    status = models.CharField(max_length=20, choices=PartnerStatus.choices, default=PartnerStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(commission_rate__gte=0, commission_rate__lte=1),
                name="partner_commission_rate_0_1",
            ),
            models.CheckConstraint(
                condition=models.Q(referral_code=Upper("referral_code"))
                & models.Q(referral_code__regex=r"^[A-Z0-9][A-Z0-9-]{2,31}$"),
                name="partner_referral_code_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommissionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"


#: What a commission shows for its deal once the person was erased.
ERASED_LABEL = "(erased)"


class Commission(models.Model):
    """What a partner earns on one won deal. One commission per lead.

    The lead is empty once the person asked for erasure (`forget_person`): what was earned and
    paid is an accounting record the business must keep, and it holds nothing about the person."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="commissions")
    lead = models.OneToOneField(
        "leads.Lead",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commission",
        help_text="Empty when the person was erased; the commission itself is kept for accounting.",
    )
    deal_value = models.DecimalField(max_digits=14, decimal_places=2)
    rate = models.DecimalField(max_digits=5, decimal_places=4)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(
        max_length=20, choices=CommissionStatus.choices, default=CommissionStatus.PENDING
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deal_value__gte=0, amount__gte=0, rate__gte=0, rate__lte=1),
                name="commission_amounts_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_at__isnull=False),
                name="commission_paid_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(approved_at__isnull=False),
                name="commission_approved_has_date",
            ),
        ]
        indexes = [models.Index(fields=["partner", "status"], name="commission_partner_status_idx")]

    def __str__(self) -> str:
        return f"{self.partner} – {self.amount}"

    @property
    def company_label(self) -> str:
        """The won deal's company as statements and the partner API show it ("" if unknown)."""
        if self.lead is None:
            return ERASED_LABEL
        return self.lead.company.name if self.lead.company else self.lead.company_name


# --- Partner portal accounts ------------------------------------------------------------------


class MemberRole(models.TextChoices):
    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"


class PartnerMember(models.Model):
    """A person who signs in to the partner portal for one partner.

    An ordinary, non-staff Django user: the portal refuses staff accounts and the admin refuses
    these (is_staff is False), so one login can never be both a partner and a sales rep."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_member"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["partner", "created_at"]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.partner})"


class PartnerInvite(models.Model):
    """An e-mailed invitation to the partner portal.

    Only a SHA-256 of the link's token is stored, and only once the e-mail job made the token
    (`partners.portal.services.invite_send`): the token itself is never written anywhere, not even
    into the job's arguments, so the database alone cannot be used to accept an invitation."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["partner", "-created_at"], name="partnerinvite_partner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="partnerinvite_not_accepted_and_revoked",
            ),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="partnerinvite_email_lower"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.partner}"

    @property
    def state(self) -> str:
        """ "accepted", "revoked", "expired" or "open", for the admin and the accept page."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"

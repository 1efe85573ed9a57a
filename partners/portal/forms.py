"""Forms of the partner portal. They validate input and hand it to the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError

from ..models import PartnerMember, PartnerStatus

STAFF_REFUSAL = (
    "This sign-in is for partner accounts. Enterprise Scanner staff sign in to the CRM at /admin/."
)


class PortalLoginForm(AuthenticationForm):
    """Django's sign-in form (django-axes counts its failures), refusing accounts that are not
    partner members: staff, and users without a membership or of a suspended partner."""

    username = forms.CharField(
        label="E-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if user.is_staff or user.is_superuser:
            raise ValidationError(STAFF_REFUSAL, code="staff")
        member = PartnerMember.objects.select_related("partner").filter(user=user).first()
        if member is None:
            raise ValidationError("This account has no partner portal access.", code="no_member")
        if member.partner.status == PartnerStatus.SUSPENDED:
            raise ValidationError(
                "Your partner account is suspended. Contact Enterprise Scanner.", code="suspended"
            )


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label="6-digit code",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PortalPasswordResetForm(PasswordResetForm):
    """Password reset for partner members only: a staff address gets no portal reset e-mail
    (the page still says "if the address has an account", so it tells nothing either way)."""

    def get_users(self, email: str):  # type: ignore[override]
        return (
            user
            for user in super().get_users(email)
            if not user.is_staff
            and not user.is_superuser
            and PartnerMember.objects.filter(user=user).exists()
        )


class AcceptInviteForm(forms.Form):
    first_name = forms.CharField(
        label="First name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("password1")
            and cleaned.get("password2")
            and cleaned["password1"] != cleaned["password2"]
        ):
            self.add_error("password2", "The two passwords differ.")
        return cleaned


class DealForm(forms.Form):
    company = forms.CharField(label="Company", max_length=200)
    email = forms.EmailField(
        label="Contact's work e-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    first_name = forms.CharField(label="Contact's first name", max_length=100, required=False)
    last_name = forms.CharField(label="Contact's last name", max_length=100, required=False)
    job_title = forms.CharField(label="Job title", max_length=200, required=False)
    notes = forms.CharField(
        label="Notes for our sales team",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What they need, timing, budget, who else is involved.",
    )
    consent = forms.BooleanField(
        label="The contact agreed that Enterprise Scanner may contact them about this deal.",
        error_messages={
            "required": "Confirm the contact agreed to be contacted; we cannot register it otherwise."
        },
    )


class ColleagueInviteForm(forms.Form):
    email = forms.EmailField(label="Colleague's e-mail", max_length=254)

"""Admin for partners and their commissions.

Commissions are created when a referred deal is won, and their amounts follow from the deal
value and the partner's rate, so the money fields are read-only here. Approving and marking
paid are admin actions that call the services (managers only); each partner has a monthly
statement as CSV and PDF.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django_otp.plugins.otp_totp.models import TOTPDevice
from unfold.admin import ModelAdmin
from unfold.decorators import action
from unfold.widgets import UnfoldAdminEmailInputWidget, UnfoldAdminSelectWidget

from enterprise_scanner.admin_format import money, percent, truncated
from enterprise_scanner.readonly_admin import ReadOnlyInline
from enterprise_scanner.untrusted_json import UntrustedJSONFormField

from . import services
from .models import Commission, MemberRole, Partner, PartnerInvite, PartnerMember
from .portal import services as portal_services
from .selectors import commission_queryset_for_user
from .statements import (
    last_complete_month,
    statement_default_month,
    statement_download,
    statement_for,
)

# Partners manage their own authenticator in the portal (Security). The library's own admin shows
# and edits each device's secret settings; here a superuser only sees the devices and can delete
# one, for a partner who lost the phone (the next sign-in then needs the password only).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ModelAdmin):
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_select_related = ("user",)
    list_filter = ("confirmed",)
    search_fields = ("user__username", "user__email")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        fields = (
            "name",
            "partner_type",
            "status",
            "contact_email",
            "referral_code",
            "commission_rate",
            "commission_tiers",
        )
        field_classes = {"commission_tiers": UntrustedJSONFormField}

    def clean_commission_tiers(self) -> list[dict[str, str]]:
        try:
            return services.commission_tiers_clean(self.cleaned_data.get("commission_tiers"))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["commission_tiers"]) from exc

    def clean_referral_code(self) -> str:
        return (self.cleaned_data.get("referral_code") or "").strip().upper()


class PartnerMemberInline(ReadOnlyInline):
    """The partner's portal accounts (created by accepting an invitation)."""

    model = PartnerMember
    fields = ("user", "full_name", "role", "two_factor", "invited_by", "created_at")
    readonly_fields = fields
    verbose_name = "portal account"
    verbose_name_plural = "Portal accounts"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PartnerMember]:
        devices = TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)
        return (
            super()
            .get_queryset(request)
            .select_related("user", "partner", "invited_by")
            .annotate(has_2fa=Exists(devices))
        )

    @admin.display(description="Name")
    def full_name(self, obj: PartnerMember) -> str:
        return obj.user.get_full_name() or "—"

    @admin.display(description="2FA", boolean=True)
    def two_factor(self, obj: PartnerMember) -> bool:
        return bool(getattr(obj, "has_2fa", False))


class PartnerInviteInline(ReadOnlyInline):
    """Invitations sent (the newest first); "Invite to portal" above sends a new one."""

    model = PartnerInvite
    fields = ("email", "role", "state_display", "sent_at", "expires_at", "accepted_at", "invited_by")
    readonly_fields = fields
    verbose_name = "portal invitation"
    verbose_name_plural = "Portal invitations"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PartnerInvite]:
        return super().get_queryset(request).select_related("partner", "invited_by")

    @admin.display(description="State")
    def state_display(self, obj: PartnerInvite) -> str:
        return obj.state.capitalize()


class PortalInviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", widget=UnfoldAdminEmailInputWidget)
    role = forms.ChoiceField(
        choices=MemberRole.choices,
        initial=MemberRole.MEMBER,
        widget=UnfoldAdminSelectWidget,
        help_text="Owners are the partner's main contacts; both see the same pages.",
    )


@admin.register(Partner)
class PartnerAdmin(ModelAdmin):
    form = PartnerForm
    inlines = (PartnerMemberInline, PartnerInviteInline)
    actions_detail = ("invite_to_portal",)
    list_display = (
        "name",
        "partner_type",
        "referral_code",
        "commission_percent",
        "status",
        "contact_email_display",
        "statement_links",
    )
    list_filter = ("status", "partner_type")
    search_fields = ("name", "referral_code", "contact_email")
    readonly_fields = ("created_at", "referral_link")
    fields = (
        "name",
        "partner_type",
        "status",
        "contact_email",
        "referral_code",
        "referral_link",
        "commission_rate",
        "commission_tiers",
        "created_at",
    )

    @admin.display(description="Commission", ordering="commission_rate")
    def commission_percent(self, obj: Partner) -> str:
        return percent(obj.commission_rate) + (" (tiered)" if obj.commission_tiers else "")

    @admin.display(description="Contact", ordering="contact_email")
    def contact_email_display(self, obj: Partner) -> str:
        return truncated(obj.contact_email, width="14rem")

    @admin.display(description="Referral link")
    def referral_link(self, obj: Partner) -> str:
        from django.conf import settings

        return f"{settings.SITE_URL}/?ref={obj.referral_code}" if obj.referral_code else "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Partner]:
        """With what the statement link needs: the latest commission, and last month's count."""
        start = last_complete_month(timezone.localdate())
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest_commission_at=Max("commissions__created_at"),
                last_month_commissions=Count(
                    "commissions",
                    filter=Q(
                        commissions__created_at__year=start.year, commissions__created_at__month=start.month
                    ),
                ),
            )
        )

    @admin.display(description="Statement")
    def statement_links(self, obj: Partner) -> str:
        """The last complete month's statement, or the latest month the partner earned in."""
        month = statement_default_month(
            today=timezone.localdate(),
            latest_commission=getattr(obj, "latest_commission_at", None),
            last_month_count=getattr(obj, "last_month_commissions", 0),
        )
        url = reverse("admin:partners_partner_statement", args=[obj.pk])
        return format_html(
            '<span class="es-links">{}: <a href="{}?month={}&amp;format=csv">CSV</a> · '
            '<a href="{}?month={}&amp;format=pdf">PDF</a></span>',
            f"{month:%b %Y}",
            url,
            f"{month:%Y-%m}",
            url,
            f"{month:%Y-%m}",
        )

    @action(description="Invite to portal", url_path="invite-to-portal", permissions=["change"], icon="mail")
    def invite_to_portal(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Ask for an e-mail address and invite it to this partner's portal (the e-mail goes out
        from a job after the invitation is committed)."""
        partner = get_object_or_404(Partner, pk=object_id)
        form = PortalInviteForm(request.POST or None, initial={"email": partner.contact_email})
        if request.method == "POST" and form.is_valid():
            try:
                invite = portal_services.invite_create(
                    partner=partner,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(
                    request,
                    f"Invitation to {invite.email} queued; the link works for "
                    f"{(invite.expires_at - invite.created_at).days} days.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:partners_partner_change", args=[partner.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Invite to the partner portal: {partner.name}",
            "partner": partner,
            "form": form,
        }
        return TemplateResponse(request, "admin/partners/partner/invite.html", context)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/statement/",
                self.admin_site.admin_view(self.statement_view),
                name="partners_partner_statement",
            ),
            *super().get_urls(),
        ]

    def statement_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """`?month=YYYY-MM&format=csv|pdf`: the partner's commissions earned that month."""
        if not self.has_view_permission(request) or not request.user.has_perm("partners.view_commission"):
            raise PermissionDenied
        partner = get_object_or_404(Partner, pk=pk)
        try:
            month = date.fromisoformat(request.GET.get("month", "") + "-01")
        except ValueError as exc:
            raise Http404("Give the month as ?month=YYYY-MM.") from exc
        kind = request.GET.get("format", "csv")
        if kind not in ("csv", "pdf"):
            raise Http404("The format is csv or pdf.")
        statement = statement_for(partner=partner, month=month)
        return statement_download(statement, kind)


@admin.register(Commission)
class CommissionAdmin(ModelAdmin):
    list_display = (
        "partner",
        "lead_display",
        "deal_value_display",
        "rate_display",
        "amount_display",
        "status",
        "approved_by",
        "approved_at",
        "paid_at",
    )
    list_select_related = ("partner", "lead", "approved_by")
    list_filter = ("status", "partner")
    search_fields = ("partner__name", "partner__referral_code", "lead__email")
    date_hierarchy = "created_at"
    actions = ("approve", "withdraw_approval", "mark_paid")
    fields = (
        "partner",
        "lead",
        "deal_value_display",
        "rate_display",
        "amount_display",
        "status",
        "approved_by",
        "approved_at",
        "paid_at",
        "created_at",
    )
    readonly_fields = fields  # status changes go through the actions (audited, managers only)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # Created when a referred deal is won.

    @admin.display(description="Lead", ordering="lead__email")
    def lead_display(self, obj: Commission) -> str:
        return truncated(obj.lead, width="14rem")

    @admin.display(description="Deal value", ordering="deal_value")
    def deal_value_display(self, obj: Commission) -> str:
        return money(obj.deal_value)

    @admin.display(description="Rate", ordering="rate")
    def rate_display(self, obj: Commission) -> str:
        return percent(obj.rate)

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj: Commission) -> str:
        return money(obj.amount)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Commission]:
        return super().get_queryset(request) & commission_queryset_for_user(user=request.user)

    def _run(self, request: HttpRequest, queryset: QuerySet[Commission], action: Any, done: str) -> None:
        changed = 0
        for commission in queryset:
            try:
                action(commission=commission, actor=request.user)
                changed += 1
            except PermissionDenied as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return
            except ValidationError as exc:
                self.message_user(request, f"{commission}: {' '.join(exc.messages)}", messages.WARNING)
        if changed:
            self.message_user(request, f"{changed} commission(s) {done}.", messages.SUCCESS)

    @admin.action(description="Approve selected commissions (managers)", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Commission]) -> None:
        self._run(request, queryset, services.commission_approve, "approved")

    @admin.action(description="Withdraw approval of selected commissions (managers)", permissions=["change"])
    def withdraw_approval(self, request: HttpRequest, queryset: QuerySet[Commission]) -> None:
        self._run(request, queryset, services.commission_withdraw_approval, "back to pending")

    @admin.action(description="Mark selected commissions paid (managers)", permissions=["change"])
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[Commission]) -> None:
        self._run(request, queryset, services.commission_mark_paid, "marked paid")

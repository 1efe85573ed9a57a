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
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from unfold.admin import ModelAdmin

from enterprise_scanner.admin_format import money, percent, truncated
from enterprise_scanner.untrusted_json import UntrustedJSONFormField

from . import services
from .models import Commission, Partner
from .selectors import commission_queryset_for_user
from .statements import (
    last_complete_month,
    statement_csv,
    statement_default_month,
    statement_for,
    statement_pdf,
)


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


@admin.register(Partner)
class PartnerAdmin(ModelAdmin):
    form = PartnerForm
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
        if kind == "pdf":
            response = HttpResponse(statement_pdf(statement), content_type="application/pdf")
        else:
            response = HttpResponse(statement_csv(statement), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{statement.filename_stem}.{kind}"'
        return response


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

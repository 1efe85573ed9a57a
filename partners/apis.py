"""Partner API: a partner's own referrals and commissions, with a partner-scoped secret key.

The partner is taken from the key itself, never from the request, so one partner's key cannot
reach another partner's data.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from enterprise_scanner.api.authentication import ApiKeyAuthentication
from enterprise_scanner.api.models import ApiScope
from enterprise_scanner.api.permissions import HasApiScope
from enterprise_scanner.api.throttles import ApiKeyThrottle
from leads.models import Lead

from .models import Commission
from .selectors import partner_commissions, partner_referrals


class HasPartnerKey(HasApiScope):
    """A secret key with the `partner` scope that belongs to a partner."""

    message = "Use a partner API key."

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and request.auth.partner_id is not None


class ReferralOutput(serializers.Serializer):
    id = serializers.UUIDField()
    company = serializers.SerializerMethodField()
    status = serializers.CharField()
    actual_deal_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    created_at = serializers.DateTimeField()

    def get_company(self, lead: Any) -> str:
        return lead.company.name if lead.company else lead.company_name


class CommissionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    lead_id = serializers.UUIDField(allow_null=True, help_text="Null once the person was erased.")
    company = serializers.SerializerMethodField()
    deal_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    approved_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_company(self, commission: Any) -> str:
        return commission.company_label


class _PartnerListApi(generics.ListAPIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasPartnerKey]
    throttle_classes = [ApiKeyThrottle]
    required_scopes = {"GET": ApiScope.PARTNER}


class PartnerReferralsApi(_PartnerListApi):
    serializer_class = ReferralOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no key, no partner
            return Lead.objects.none()
        return partner_referrals(partner=self.request.auth.partner)

    @extend_schema(
        summary="The leads you referred",
        description="Partner API key (scope `partner`). Company, status and won deal value; no contact details.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PartnerCommissionsApi(_PartnerListApi):
    serializer_class = CommissionOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Commission.objects.none()
        return partner_commissions(partner=self.request.auth.partner)

    @extend_schema(summary="Your commissions", description="Partner API key (scope `partner`).")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

"""Lead API: public intake (publishable site key) and integrations (secret API key with scopes).

Views parse, call a service, render. Nothing here decides business rules.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.validators import RegexValidator
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from email_validator import EmailNotValidError, validate_email
from rest_framework import generics, serializers, status
from rest_framework.filters import SearchFilter
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from enterprise_scanner.api.authentication import ApiKeyAuthentication
from enterprise_scanner.api.fields import EmailAddressField
from enterprise_scanner.api.filters import IsoDateTimeFilter
from enterprise_scanner.api.permissions import HasApiScope, IsSiteRequest
from enterprise_scanner.api.site_keys import SiteKeyAuthentication
from enterprise_scanner.api.throttles import ApiKeyThrottle, SiteIpThrottle, SiteKeyThrottle

from . import services
from .models import Lead, LeadSource, LeadStatus
from .selectors import lead_detail_queryset, lead_list_queryset, lead_search_q

#: Optional header on public submissions: a retry with the same key is answered, not recorded again.
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")

PUBLIC_FORMS = [LeadSource.DEMO_REQUEST, LeadSource.CONTACT, LeadSource.ASSESSMENT, LeadSource.NEWSLETTER]
HONEYPOT_FIELD = "website"


# --- Intake ---------------------------------------------------------------------------------------


def _unbound_copy(field: serializers.Field) -> serializers.Field:
    """A new field object with the same attributes (a shallow copy, without copy.copy's
    reduce protocol), for `bind()` to set this instance's name and parent on."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


class LeadSubmitInput(serializers.Serializer):
    email = EmailAddressField(max_length=254)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    company = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    job_title = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    phone = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        validators=[
            RegexValidator(
                r"^\+?[0-9 ().\-/]{5,40}$", "Enter a phone number of digits, spaces and + ( ) - . /"
            )
        ],
    )
    employee_count = serializers.IntegerField(
        min_value=1, max_value=10_000_000, required=False, allow_null=True
    )
    message = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    form = serializers.ChoiceField(
        choices=[(f.value, f.label) for f in PUBLIC_FORMS], default=LeadSource.CONTACT
    )
    visitor_id = serializers.RegexField(
        r"^[A-Za-z0-9_-]{8,64}$",
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": "A visitor id is 8–64 letters, digits, '-' or '_'."},
    )
    referral_code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    utm_source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    utm_medium = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    utm_campaign = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    utm_term = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    utm_content = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    consent_marketing = serializers.BooleanField(required=False, default=False)
    page_url = serializers.URLField(max_length=2048, required=False, allow_blank=True, default="")
    website = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        trim_whitespace=False,
        help_text="Honeypot: hidden from people, must stay empty.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        """The declared fields, copied shallowly for this instance. DRF deep-copies them, which
        re-runs every field's __init__ and was a fifth of this hot endpoint's time; the declared
        fields are never bound and keep no per-request state (validators are shared by DRF's
        own copy too), so each instance only needs fields of its own to bind."""
        return {name: _unbound_copy(field) for name, field in self._declared_fields.items()}

    def validate_email(self, value: str) -> str:
        try:
            return validate_email(value.strip(), check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise serializers.ValidationError(f"Enter a valid e-mail address: {exc}") from exc

    def validate_website(self, value: str) -> str:
        if value:
            raise serializers.ValidationError("This field must be left empty.")
        return value

    def to_submission(self) -> services.LeadSubmission:
        data = dict(self.validated_data)
        data.pop(HONEYPOT_FIELD, None)
        utm = {name: data.pop(name) for name in services.UTM_FIELDS if data.get(name)}
        for name in services.UTM_FIELDS:
            data.pop(name, None)
        return services.LeadSubmission(**data, utm=utm)


class LeadSubmitOutput(serializers.Serializer):
    lead_id = serializers.UUIDField()
    created = serializers.BooleanField()


# --- Integrations -------------------------------------------------------------------------------


class CompanyOutput(serializers.Serializer):
    name = serializers.CharField()
    domain = serializers.CharField()
    is_fortune_500 = serializers.BooleanField()
    fortune_rank = serializers.IntegerField(allow_null=True)


class LeadOutput(serializers.ModelSerializer):
    company = CompanyOutput(allow_null=True)
    owner = serializers.CharField(source="owner.username", allow_null=True, default=None)
    next_follow_up_at = serializers.DateTimeField(
        allow_null=True,
        read_only=True,
        help_text="Due time of the lead's earliest open task (follow-up, call, meeting …), or null.",
    )

    class Meta:
        model = Lead
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "job_title",
            "seniority",
            "phone",
            "company",
            "company_name",
            "source",
            "status",
            "lost_reason",
            "score",
            "score_breakdown",
            "estimated_deal_value",
            "actual_deal_value",
            "is_fortune_500",
            "owner",
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "consent_marketing",
            "last_contacted_at",
            "next_follow_up_at",
            "created_at",
            "updated_at",
        ]


class TimelineEntryOutput(serializers.Serializer):
    kind = serializers.CharField()
    summary = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    created_at = serializers.DateTimeField()


class LeadDetailOutput(LeadOutput):
    timeline = TimelineEntryOutput(many=True, source="events")

    class Meta(LeadOutput.Meta):
        fields = [*LeadOutput.Meta.fields, "message", "timeline"]


class LeadUpdateInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=LeadStatus.choices, required=False)
    lost_reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    owner = serializers.CharField(
        max_length=150,
        required=False,
        allow_null=True,
        help_text="Username of a staff user, or null to unassign.",
    )
    next_follow_up_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text=(
            "When to follow up, with a time zone: moves the lead's open follow-up task there, or "
            "creates one owned by the lead's owner. null marks the open follow-up task(s) done; the "
            "lead's other open tasks (calls, meetings) stay, so the returned next_follow_up_at is "
            "then the earliest of those, or null."
        ),
    )

    def validate_owner(self, value: str | None) -> Any:
        if value is None:
            return None
        user = get_user_model().objects.filter(username=value, is_active=True, is_staff=True).first()
        if user is None:
            raise serializers.ValidationError(f"No active staff user {value!r}.")
        return user

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not {"status", "owner", "next_follow_up_at"} & attrs.keys():
            raise serializers.ValidationError("Send at least one of status, owner, next_follow_up_at.")
        return attrs


class LeadFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=LeadStatus.choices)
    min_score = filters.NumberFilter(field_name="score", lookup_expr="gte")
    fortune_500 = filters.BooleanFilter(field_name="is_fortune_500")
    owner = filters.CharFilter(field_name="owner__username")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Lead
        fields = ["status", "min_score", "fortune_500", "owner", "created_after"]


class _KeyedView(generics.GenericAPIView):
    """Base for views that accept either kind of key and pick permissions/throttles per method."""

    authentication_classes = [ApiKeyAuthentication, SiteKeyAuthentication]
    public_methods: frozenset[str] = frozenset()

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method in self.public_methods:
            return [IsSiteRequest()]
        return [HasApiScope()]

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method in self.public_methods:
            return [SiteIpThrottle(), SiteKeyThrottle()]
        return [ApiKeyThrottle()]

    def actor_label(self) -> str:
        return f"API key {self.request.auth.name}"


class LeadSearchFilter(SearchFilter):
    """`?search=` with the admin's search rule (`lead_search_q`): every word must match the lead's
    name, e-mail, typed company or its matched company's name or domains. DRF's own filter would
    search the company through a join, which reads every lead at scale; this one uses the trigram
    indexes on PostgreSQL."""

    search_description = "Words that must each appear in the lead's name, e-mail or company (name or domain)."

    def filter_queryset(self, request: Request, queryset: Any, view: Any) -> Any:
        search = request.query_params.get(self.search_param, "")
        if not search.strip():
            return queryset
        return queryset.filter(lead_search_q(search))


class LeadCollectionApi(_KeyedView, generics.ListAPIView):
    public_methods = frozenset({"POST", "OPTIONS"})
    required_scopes = {"GET": "leads:read"}
    serializer_class = LeadOutput
    filterset_class = LeadFilter
    filter_backends = [filters.DjangoFilterBackend, LeadSearchFilter]

    def get_queryset(self):
        return lead_list_queryset()

    @extend_schema(
        summary="List leads, best score first",
        description="Secret API key with scope `leads:read`.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Submit a website form (public)",
        description=(
            "Publishable site key in `X-Site-Key`, from one of the site's origins. Creates the lead "
            "(201) or records the submission on the known lead with that e-mail (200). The response "
            "never reveals score, Fortune 500 status or deal value. Send an `Idempotency-Key` to "
            "make retries safe."
        ),
        request=LeadSubmitInput,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=False,
                description=(
                    "Optional, 1–255 printable ASCII characters (e.g. a UUID made per form "
                    "submission). A retry with the same key and body gets the first response "
                    "(same status and lead_id) and records nothing again; the same key with a "
                    "different body gets 422."
                ),
            )
        ],
        responses={
            201: LeadSubmitOutput,
            200: LeadSubmitOutput,
            400: OpenApiResponse(description="Per-field errors (also a malformed Idempotency-Key)"),
            401: OpenApiResponse(description="Unknown site key"),
            403: OpenApiResponse(description="Disabled key or foreign Origin"),
            422: OpenApiResponse(description="Idempotency-Key already used for a different submission"),
            429: OpenApiResponse(description="Too many requests; see Retry-After"),
        },
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER, "")
        if key and not IDEMPOTENCY_KEY_PATTERN.fullmatch(key):
            raise serializers.ValidationError(
                {IDEMPOTENCY_HEADER: ["Send 1–255 printable ASCII characters, e.g. a UUID."]}
            )
        payload = LeadSubmitInput(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            lead, created = services.lead_submit(
                submission=payload.to_submission(), website=request.auth, idempotency_key=key
            )
        except services.IdempotencyKeyReused:
            return Response(
                {"detail": f"This {IDEMPOTENCY_HEADER} was already used for a different submission."},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        body = {"lead_id": str(lead.pk), "created": created}  # the shape of LeadSubmitOutput
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class LeadDetailApi(_KeyedView, generics.RetrieveAPIView):
    required_scopes = {"GET": "leads:read", "PATCH": "leads:write"}
    serializer_class = LeadDetailOutput
    lookup_field = "pk"

    def get_queryset(self):
        return lead_detail_queryset()

    @extend_schema(summary="One lead with its company and timeline", description="Scope `leads:read`.")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Change status, owner or follow-up",
        description="Scope `leads:write`. Each change is recorded on the lead's timeline.",
        request=LeadUpdateInput,
        responses={200: LeadDetailOutput, 400: OpenApiResponse(description="Per-field errors")},
    )
    def patch(self, request: Request, pk: str) -> Response:
        lead = self.get_object()
        payload = LeadUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data, label = payload.validated_data, self.actor_label()
        if "status" in data:
            services.lead_change_status(
                lead=lead, status=data["status"], lost_reason=data["lost_reason"], actor_label=label
            )
        if "owner" in data:
            services.lead_assign(lead=lead, owner=data["owner"], actor_label=label)
        if "next_follow_up_at" in data:
            services.lead_schedule_follow_up(lead=lead, at=data["next_follow_up_at"], actor_label=label)
        return Response(LeadDetailOutput(self.get_queryset().get(pk=lead.pk)).data)

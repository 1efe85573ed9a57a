"""Assessment and ROI API. Public: a website's publishable key to request; the access token to read.

Views parse, call a service, render.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enterprise_scanner.api.fields import TargetUrlField
from enterprise_scanner.api.permissions import IsSiteRequest
from enterprise_scanner.api.site_keys import SiteKeyAuthentication
from enterprise_scanner.api.throttles import SiteIpThrottle, SiteKeyThrottle, StatusPollIpThrottle
from leads.apis import LeadSubmitInput
from leads.services import LeadSubmission

from . import roi, services
from .models import AssessmentStatus, SecurityAssessment
from .selectors import assessment_for_token


class _SitePostView(APIView):
    authentication_classes = [SiteKeyAuthentication]
    permission_classes = [IsSiteRequest]
    throttle_classes = [SiteIpThrottle, SiteKeyThrottle]


# --- Assessments ----------------------------------------------------------------------------------


class AssessmentRequestInput(LeadSubmitInput):
    form = None  # always the assessment form
    target_url = TargetUrlField(max_length=2048)  # its schema description lists the refused targets
    monitoring_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "The requester agrees that we keep watching the site: it is re-scanned on a schedule "
            "(weekly by default) once this first assessment has completed, each scan is kept, and "
            "changes for the worse are followed up. Default false."
        ),
    )

    def to_submission(self) -> LeadSubmission:
        own = {name: self.validated_data.pop(name) for name in ("target_url", "monitoring_consent")}
        try:
            return super().to_submission()
        finally:
            self.validated_data.update(own)


class AssessmentCreatedOutput(serializers.Serializer):
    assessment_id = serializers.UUIDField()
    status = serializers.CharField(help_text="pending_approval, queued, running, completed or failed")
    status_url = serializers.URLField(help_text="Carries the access token: keep it private.")


class FindingOutput(serializers.Serializer):
    check_id = serializers.CharField()
    title = serializers.CharField()
    severity = serializers.CharField()
    evidence = serializers.CharField()
    description = serializers.CharField()
    recommendation = serializers.CharField()
    compliance_refs = serializers.ListField(child=serializers.CharField())
    score_modifier = serializers.IntegerField()


class AssessmentOutput(serializers.Serializer):
    id = serializers.UUIDField()
    target_url = serializers.URLField()
    status = serializers.CharField(help_text="pending_approval, queued, running, completed or failed")
    requested_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    grade = serializers.CharField(allow_blank=True)
    risk_score = serializers.IntegerField(allow_null=True)
    score = serializers.IntegerField(source="observatory_score", allow_null=True)
    error = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()
    report_url = serializers.SerializerMethodField()

    def get_error(self, obj: SecurityAssessment) -> str:
        return obj.error if obj.status == AssessmentStatus.FAILED else ""

    def get_findings(self, obj: SecurityAssessment) -> list[dict[str, Any]]:
        if obj.status != AssessmentStatus.COMPLETED:
            return []
        return FindingOutput(obj.findings.all(), many=True).data

    def get_report_url(self, obj: SecurityAssessment) -> str | None:
        if obj.status != AssessmentStatus.COMPLETED or not obj.report_file:
            return None
        return self.context["report_url"]


def _token_url(request: Request, name: str, assessment_id: object, token: str) -> str:
    return request.build_absolute_uri(reverse(name, args=[assessment_id])) + f"?token={token}"


class AssessmentCollectionApi(_SitePostView):
    @extend_schema(
        summary="Request a security assessment (public)",
        description=(
            "Publishable site key in `X-Site-Key`. Records the lead (form `assessment`) and queues a passive "
            "scan of `target_url` when it is on the requester's company domain; other targets wait for staff "
            "approval (status `pending_approval`). Returns 202 with a status URL carrying an access token."
        ),
        request=AssessmentRequestInput,
        responses={
            202: AssessmentCreatedOutput,
            400: OpenApiResponse(description="Per-field errors"),
            429: OpenApiResponse(description="Too many requests, or this host was assessed recently"),
        },
    )
    def post(self, request: Request) -> Response:
        payload = AssessmentRequestInput(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            assessment, token = services.assessment_request(
                submission=payload.to_submission(),
                target_url=payload.validated_data["target_url"],
                website=request.auth,
                monitoring_consent=payload.validated_data["monitoring_consent"],
            )
        except services.AssessmentRateLimited as exc:
            raise exceptions.Throttled(wait=exc.wait_seconds, detail=str(exc)) from exc
        body = AssessmentCreatedOutput(
            {
                "assessment_id": assessment.pk,
                "status": assessment.status,
                "status_url": _token_url(request, "v1:assessment-detail", assessment.pk, token),
            }
        ).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


TOKEN_PARAMETER = OpenApiParameter(
    "token", str, OpenApiParameter.QUERY, required=True, description="Access token"
)


class _TokenView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [StatusPollIpThrottle]

    def load(self, request: Request, pk: str) -> SecurityAssessment:
        assessment = assessment_for_token(assessment_id=pk, token=request.query_params.get("token", ""))
        if assessment is None:
            raise exceptions.NotFound("No assessment with this id and token.")
        return assessment


class AssessmentDetailApi(_TokenView):
    @extend_schema(
        summary="Status and results of an assessment",
        description="Anyone with the status URL (id + token) may read it. Findings appear once completed.",
        parameters=[TOKEN_PARAMETER],
        responses={200: AssessmentOutput, 404: OpenApiResponse(description="Unknown id or wrong token")},
    )
    def get(self, request: Request, pk: str) -> Response:
        assessment = self.load(request, pk)
        token = request.query_params["token"]
        context = {"report_url": _token_url(request, "v1:assessment-report", assessment.pk, token)}
        return Response(AssessmentOutput(assessment, context=context).data)


class AssessmentReportApi(_TokenView):
    @extend_schema(
        summary="The PDF report of a completed assessment",
        parameters=[TOKEN_PARAMETER],
        responses={(200, "application/pdf"): OpenApiResponse(description="The report"), 404: None},
    )
    def get(self, request: Request, pk: str) -> FileResponse:
        assessment = self.load(request, pk)
        if assessment.status != AssessmentStatus.COMPLETED or not assessment.report_file:
            raise Http404("The report is not ready yet.")
        return FileResponse(
            assessment.report_file.open("rb"),
            as_attachment=True,
            filename=f"security-assessment-{assessment.target_host}.pdf",
            content_type="application/pdf",
        )


# --- ROI calculator --------------------------------------------------------------------------------


class RoiInput(serializers.Serializer):
    employees = serializers.IntegerField(min_value=1, max_value=roi.MAX_EMPLOYEES)
    annual_security_budget = serializers.DecimalField(
        max_digits=15, decimal_places=2, min_value=Decimal("0"), help_text="US dollars per year"
    )
    industry = serializers.ChoiceField(choices=sorted(roi.INDUSTRIES))
    region = serializers.ChoiceField(choices=sorted(roi.REGIONS))
    visitor_id = serializers.RegexField(
        r"^[A-Za-z0-9_-]{8,64}$",
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": "A visitor id is 8–64 letters, digits, '-' or '_'."},
    )


class RoiOutput(serializers.Serializer):
    id = serializers.UUIDField()
    inputs = serializers.DictField()
    outputs = serializers.DictField()


class RoiApi(_SitePostView):
    @extend_schema(
        summary="ROI calculator (public)",
        description=(
            "Expected annual breach exposure and potential savings from cited public figures (IBM Cost of a "
            "Data Breach 2025/2024, Verizon DBIR 2025). Stored; counted as engagement for a known visitor."
        ),
        request=RoiInput,
        responses={201: RoiOutput, 400: OpenApiResponse(description="Per-field errors")},
    )
    def post(self, request: Request) -> Response:
        payload = RoiInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        calculation = services.roi_calculate(
            inputs=roi.RoiInputs(
                employees=data["employees"],
                annual_security_budget=data["annual_security_budget"],
                industry=data["industry"],
                region=data["region"],
            ),
            website=request.auth,
            visitor_id=data["visitor_id"],
        )
        return Response(RoiOutput(calculation).data, status=status.HTTP_201_CREATED)

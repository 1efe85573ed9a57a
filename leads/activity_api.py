"""`POST /api/v1/leads/<uuid>/activities/`: log a call, e-mail, meeting or the lead's reply.

For integrations (the mail system that sees a lead's reply, a dialer, a calendar), with a secret
API key with scope `leads:write`. A reply (`email_reply`) stops the lead's nurture e-mail. The
view parses, calls `leads.services.lead_activity_log`, renders.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from enterprise_scanner.api.authentication import ApiKeyAuthentication
from enterprise_scanner.api.permissions import HasApiScope
from enterprise_scanner.api.throttles import ApiKeyThrottle

from . import services
from .models import Lead, LeadEventKind
from .services.activities import ACTIVITY_BODY_MAX_LENGTH, CallOutcome

#: The API's activity kinds and the timeline kinds they are stored as.
API_KINDS: dict[str, LeadEventKind] = {
    "email_reply": LeadEventKind.EMAIL_REPLY,
    "email": LeadEventKind.EMAIL_LOGGED,
    "call": LeadEventKind.CALL_LOGGED,
    "meeting": LeadEventKind.MEETING_LOGGED,
}


class ActivityInput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=list(API_KINDS),
        help_text="email_reply: the lead wrote to us (stops nurture e-mail); email: we wrote; call; meeting.",
    )
    summary = serializers.CharField(
        max_length=ACTIVITY_BODY_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="What was said or written (required except for calls).",
    )
    outcome = serializers.ChoiceField(
        choices=CallOutcome.choices, required=False, allow_blank=True, default="", help_text="Calls only."
    )
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="ISO 8601 with time zone; default now."
    )


class ActivityOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    summary = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    nurture_stopped = serializers.IntegerField(help_text="Nurture enrolments this activity stopped.")


class LeadActivityApi(generics.GenericAPIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasApiScope]
    throttle_classes = [ApiKeyThrottle]
    required_scopes = {"POST": "leads:write"}
    serializer_class = ActivityInput
    queryset = Lead.objects.all()
    lookup_field = "pk"

    @extend_schema(
        summary="Log an activity on a lead (call, e-mail, meeting, the lead's reply)",
        description=(
            "Secret API key with scope `leads:write`. Recorded on the lead's timeline, dated "
            "`occurred_at`. `email_reply` means the lead replied to us: its nurture e-mail stops."
        ),
        request=ActivityInput,
        responses={
            201: ActivityOutput,
            400: OpenApiResponse(description="Per-field errors"),
            404: OpenApiResponse(description="No such lead"),
        },
        examples=[
            OpenApiExample(
                "A reply", value={"kind": "email_reply", "summary": "Thanks, can we talk Tuesday?"}
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        lead = self.get_object()
        payload = ActivityInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        active_before = lead.nurture_enrollments.filter(status="active").count()
        event = services.lead_activity_log(
            lead=lead,
            kind=API_KINDS[data["kind"]],
            body=data["summary"],
            outcome=data["outcome"],
            occurred_at=data["occurred_at"],
            actor=None,
            actor_label=f"API key {request.auth.name}"[:100],
        )
        stopped = active_before - lead.nurture_enrollments.filter(status="active").count()
        body = {
            "id": event.pk,
            "kind": data["kind"],
            "summary": event.summary,
            "occurred_at": event.created_at,
            "nurture_stopped": stopped,
        }
        return Response(ActivityOutput(body).data, status=status.HTTP_201_CREATED)

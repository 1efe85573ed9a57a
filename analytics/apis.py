"""Event API: the tracker posts batches of one visitor's events (publishable site key).

Each event is validated on its own: bad ones are reported by index, good ones stored, so one
malformed event never loses the rest of the batch.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enterprise_scanner.api.permissions import IsSiteRequest
from enterprise_scanner.api.site_keys import SiteKeyAuthentication
from enterprise_scanner.api.throttles import SiteIpThrottle, SiteKeyThrottle
from enterprise_scanner.client_ip import client_ip

from . import services
from .models import EventType

VISITOR_ID = serializers.RegexField(
    r"^[A-Za-z0-9_-]{8,64}$",
    error_messages={"invalid": "A visitor id is 8–64 letters, digits, '-' or '_'."},
)


class EventIpThrottle(SiteIpThrottle):
    """Events come with every page view, so they get their own, larger per-IP budget and do not
    eat into the budget of the lead forms."""

    scope = "events_ip"


class EventInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=EventType.choices)
    url = serializers.URLField(max_length=2048, required=False, allow_blank=True, default="")
    referrer = serializers.URLField(max_length=2048, required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    data = serializers.DictField(required=False, default=dict)
    utm_source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    utm_medium = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    utm_campaign = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    utm_term = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    utm_content = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_data(self, value: dict[str, Any]) -> dict[str, Any]:
        size = len(json.dumps(value, separators=(",", ":")).encode())
        if size > settings.ANALYTICS_EVENT_DATA_MAX_BYTES:
            raise serializers.ValidationError(
                f"Keep data under {settings.ANALYTICS_EVENT_DATA_MAX_BYTES} bytes of JSON (this is {size})."
            )
        return value

    def to_event(self) -> services.EventInput:
        data = self.validated_data
        return services.EventInput(
            event_type=data["type"],
            url=data["url"],
            referrer=data["referrer"],
            occurred_at=data["occurred_at"],
            data=data["data"],
            utm={name: data[name] for name in services.UTM_KEYS if data[name]},
        )


class EventBatchInput(serializers.Serializer):
    visitor_id = VISITOR_ID
    referral_code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    events = serializers.ListField(child=serializers.JSONField(), allow_empty=False)

    def validate_events(self, value: list[Any]) -> list[Any]:
        if len(value) > settings.ANALYTICS_BATCH_MAX_EVENTS:
            raise serializers.ValidationError(
                f"Send at most {settings.ANALYTICS_BATCH_MAX_EVENTS} events in one batch."
            )
        return value


class RejectedOutput(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField()


class EventBatchOutput(serializers.Serializer):
    accepted = serializers.IntegerField()
    rejected = RejectedOutput(many=True)
    tracking = serializers.ChoiceField(choices=["on", "declined"])


class EventBatchApi(APIView):
    authentication_classes = [SiteKeyAuthentication]
    permission_classes = [IsSiteRequest]
    throttle_classes = [EventIpThrottle, SiteKeyThrottle]

    @extend_schema(
        summary="Record a batch of one visitor's events (public)",
        description=(
            "Publishable site key in `X-Site-Key`. 202 with the number accepted and, per rejected "
            "event, its index and field errors. With `DNT: 1` or `Sec-GPC: 1` nothing is stored "
            "(`tracking: declined`). IP addresses are stored anonymised."
        ),
        request=EventBatchInput,
        responses={
            202: EventBatchOutput,
            400: OpenApiResponse(description="The batch itself is malformed"),
            429: OpenApiResponse(description="Too many requests; see Retry-After"),
        },
    )
    def post(self, request: Request) -> Response:
        if services.tracking_declined(headers=request.META):
            body = {"accepted": 0, "rejected": [], "tracking": "declined"}
            return Response(EventBatchOutput(body).data, status=status.HTTP_202_ACCEPTED)
        batch = EventBatchInput(data=request.data)
        batch.is_valid(raise_exception=True)
        events: list[services.EventInput] = []
        rejected: list[dict[str, Any]] = []
        for index, item in enumerate(batch.validated_data["events"]):
            if not isinstance(item, dict):
                rejected.append({"index": index, "errors": {"non_field_errors": ["An event is an object."]}})
                continue
            event = EventInput(data=item)
            if event.is_valid():
                events.append(event.to_event())
            else:
                rejected.append({"index": index, "errors": event.errors})
        services.event_batch_record(
            website=request.auth,
            anonymous_id=batch.validated_data["visitor_id"],
            events=events,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            referral_code=batch.validated_data["referral_code"],
        )
        body = {"accepted": len(events), "rejected": rejected, "tracking": "on"}
        return Response(EventBatchOutput(body).data, status=status.HTTP_202_ACCEPTED)

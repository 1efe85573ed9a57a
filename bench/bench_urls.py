"""URLs for the intake benchmark: the whole project, plus the reference it is compared with."""

from __future__ import annotations

import json
import uuid

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from enterprise_scanner.urls import urlpatterns as project_urlpatterns
from leads.models import Lead


@csrf_exempt
def bare_insert(request: HttpRequest) -> JsonResponse:
    """The floor for an intake request: parse the JSON body and INSERT one lead row. No
    validation, authentication, scoring, company, timeline or task: what is left is the cost of
    the server, the middleware and one write."""
    data = json.loads(request.body)
    lead = Lead.objects.create(id=uuid.uuid4(), email=data["email"], first_name=data.get("first_name", ""))
    return JsonResponse({"lead_id": str(lead.pk)}, status=201)


urlpatterns = [*project_urlpatterns, path("bench/bare-insert/", bare_insert)]

"""OpenAPI descriptions of our two authentication schemes and of the errors every operation can
answer with (drf-spectacular extensions).

drf-spectacular documents only the success response of a view, so a client reading the schema
would not learn that a wrong key gets 401 or a busy database 503. `AutoSchema` adds, from the
view's own authentication, throttles, path and pagination, each error response the API really
sends, with the one error body shape of `enterprise_scanner.api.exceptions` — and the
schemathesis test (enterprise_scanner/tests/test_api_schemathesis.py) holds both to it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


def _is_public_method(auto_schema: Any) -> bool | None:
    """For views that take either kind of key (`public_methods`, see leads.apis._KeyedView):
    whether this operation is the public one (site key) or the private one (secret key)."""
    public_methods = getattr(auto_schema.view, "public_methods", None)
    if public_methods is None:
        return None
    return auto_schema.method in public_methods


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "enterprise_scanner.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]] | None:
        if _is_public_method(auto_schema):
            return None  # a public operation (a website form) is authorised by the site key only
        return super().get_security_requirement(auto_schema)

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Secret API key: `Authorization: Api-Key es_…` (see `manage.py create_api_key`).",
        }


class SiteKeyScheme(OpenApiAuthenticationExtension):
    target_class = "enterprise_scanner.api.site_keys.SiteKeyAuthentication"
    name = "SiteKey"

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]] | None:
        if _is_public_method(auto_schema) is False:
            return None  # reading or changing leads needs a secret key; a site key only creates
        return super().get_security_requirement(auto_schema)

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Site-Key",
            "description": "The website's publishable key; the request's Origin must be one of the site's.",
        }


class ErrorOutput(serializers.Serializer):
    """Every error but per-field validation: `{"detail": "…"}` (DRF's shape, kept by our handler)."""

    detail = serializers.CharField()


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: a list of messages per field or query parameter (`non_field_errors` for the "
    'whole input), or `{"detail": …}` for a body that is not JSON we accept (malformed, nested more '
    "than 32 levels, a NUL character in any string) or a NUL character in a parameter, header or cookie",
    "413": "The body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default)",
    "415": "The body's Content-Type is missing or not one the operation reads (JSON or form data)",
    "401": "No key, or an unknown one",
    "403": "The key may not do this (disabled, foreign Origin, missing scope)",
    "404": "Unknown id, or a page past the end",
    "429": "Too many requests; see Retry-After",
    "503": "The database or Redis is unavailable; retry after Retry-After seconds",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, plus the error responses each operation can really send."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            documented = responses.get(code)
            description = (documented or {}).get("description", "No response body")
            if description == "No response body":  # drf-spectacular's placeholder
                description = ERROR_DESCRIPTIONS[code]
            if documented and documented.get("content"):
                continue
            body = self._validation_error_schema() if code == "400" else ErrorOutput
            responses[code] = self._get_response_for_code(
                OpenApiResponse(response=body, description=description), code, direction=direction
            )
        return dict(sorted(responses.items()))

    def _validation_error_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "additionalProperties": True,
            "description": "Field name → list of messages (objects for nested input).",
        }

    def _error_codes(self) -> list[str]:
        codes = []
        has_body = self.method in ("POST", "PUT", "PATCH")
        is_paginated = self.method == "GET" and self._get_paginator() is not None
        # Any operation can be refused with 400 for a NUL character in a query parameter, a
        # header or a cookie (enterprise_scanner.request_guard), besides its own validation.
        codes.append("400")
        if has_body:
            codes += ["413", "415"]
        if any(requirement for requirement in self.get_auth()):
            codes += ["401", "403"]
        if "{" in self.path or is_paginated:
            codes.append("404")
        if self._throttles():
            codes.append("429")
        codes.append("503")  # every operation reads the database (exceptions.exception_handler)
        return codes

    def _throttles(self) -> list[Any]:
        try:
            return list(self.view.get_throttles())
        except AttributeError:  # a view that picks throttles from a real request
            return list(getattr(self.view, "throttle_classes", []))


def _lead_links(id_expression: str) -> dict[str, Any]:
    return {
        "GetLead": {
            "operationId": "v1_leads_retrieve",
            "parameters": {"id": id_expression},
            "description": "The lead this response names, with its timeline.",
        },
        "UpdateLead": {
            "operationId": "v1_leads_partial_update",
            "parameters": {"id": id_expression},
            "description": "Change the status, owner or follow-up of the lead this response names.",
        },
    }


#: OpenAPI links between operations (operationId, status → links): what a client, and
#: schemathesis' stateful test, can call next with a value from a response.
LINKS: dict[tuple[str, str], dict[str, Any]] = {
    ("v1_leads_create", "201"): _lead_links("$response.body#/lead_id"),
    ("v1_leads_create", "200"): _lead_links("$response.body#/lead_id"),
    ("v1_leads_list", "200"): _lead_links("$response.body#/results/0/id"),
    ("v1_leads_retrieve", "200"): _lead_links("$response.body#/id"),
    ("v1_leads_partial_update", "200"): _lead_links("$response.body#/id"),
}


def add_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add `LINKS` to the responses they start from
    (drf-spectacular itself has no way to declare links)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for code, response in operation.get("responses", {}).items():
                links = LINKS.get((operation.get("operationId", ""), code))
                if links:
                    response["links"] = links
    return result

"""OpenAPI descriptions of our two authentication schemes (drf-spectacular extensions)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "enterprise_scanner.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

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

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Site-Key",
            "description": "The website's publishable key; the request's Origin must be one of the site's.",
        }

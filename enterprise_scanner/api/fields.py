"""Input fields whose OpenAPI description states what their validation really accepts.

The views validate these with code drf-spectacular cannot read (email-validator, the scanner's
URL rules), so by default the schema would document any string, blank included, and clients
(and schemathesis) would send input the API always refuses.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "format": "email", "minLength": 3, "maxLength": 254})
class EmailAddressField(serializers.CharField):
    """An e-mail address, checked by the view with email-validator (normalised, no blank)."""


@extend_schema_field(
    {
        "type": "string",
        "format": "uri",
        "minLength": 1,
        "maxLength": 2048,
        "description": "The website to assess, e.g. https://www.example.com",
    }
)
class TargetUrlField(serializers.CharField):
    """A website address to scan; the assessment service checks scheme and host."""

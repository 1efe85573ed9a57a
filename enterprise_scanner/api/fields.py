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
        "description": (
            "The website to assess, e.g. https://www.example.com (https:// is assumed when no scheme "
            "is given). Refused with 400: schemes other than http and https; ports other than 80 and 443; "
            "a user name or password in the URL; a name without a dot; `localhost` and `*.localhost`, "
            "`.local`, `.internal`, `.localdomain` and `home.arpa` names; and every address that is not "
            "public — loopback, private, carrier-grade NAT, link-local (cloud metadata), multicast, "
            "reserved, unspecified (`0`, `0.0.0.0`), IPv4-mapped, 6to4 and NAT64 IPv6 forms of those — "
            "in any spelling the resolver accepts: octal, hex and short IPv4 (`0177.0.0.1`, `0x7f.0.0.1`, "
            "`127.1`, `2130706433`), full-width digits and ideographic dots (IDNA/UTS-46 mapping), and "
            "trailing dots. The host is stored as the resolver reads it (IDNA ASCII form)."
        ),
    }
)
class TargetUrlField(serializers.CharField):
    """A website address to scan; the assessment service checks scheme and host."""

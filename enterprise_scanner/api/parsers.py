"""DRF's JSON parser, through the project's one parser of untrusted JSON.

DRF's own `JSONParser` calls `json.load`, whose RecursionError on deeply nested input is not a
ValueError and so escaped as a 500; see `enterprise_scanner.untrusted_json` for the limits.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from enterprise_scanner.api.exceptions import RequestBodyTooLarge
from enterprise_scanner.untrusted_json import UntrustedJSONError, parse_untrusted_json


class JSONParser(parsers.JSONParser):
    """`application/json` bodies: bounded nesting, no NUL characters, at most
    DATA_UPLOAD_MAX_MEMORY_SIZE bytes (Django applies that limit only to form bodies)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        if stream is None:
            raise ParseError("JSON parse error - the body is empty.")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            raise RequestBodyTooLarge()
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = body.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"JSON parse error - the body is not valid {encoding} text.") from exc
        try:
            return parse_untrusted_json(text)
        except UntrustedJSONError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc

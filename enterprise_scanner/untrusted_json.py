"""The one way to parse JSON a visitor or client sent: bounded nesting, no NUL characters.

Python's `json` parser recurses once per nesting level, so ~1,000 levels of `[` (a few KB)
raise RecursionError instead of ValueError: past DRF's parser that was a 500 with a
traceback, and in a chat consumer a socket closed with 1011. Values that do parse can still
hurt later: rendering a deeply nested value back (JSONRenderer, the admin, json.dumps into a
JSONField) recurses again, and PostgreSQL refuses a "\\u0000" in any jsonb or text value
(DataError, another 500). So every untrusted JSON document goes through `parse_untrusted_json`
(DRF's parser `enterprise_scanner.api.parsers.JSONParser`, the chat consumers, the admin's JSON
form fields via `UntrustedJSONFormField`), and values that
were decoded elsewhere are checked with `check_untrusted_value`; both refuse with
`UntrustedJSONError`, whose message says what is wrong and where, for a 400 or an `error`
frame.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

#: Deepest nesting of arrays and objects we accept. Our real documents (a lead form, an event
#: batch with its `data`, ROI inputs, a chat frame) are 3-4 levels deep; 32 leaves ample room
#: for clients' own event data while staying far below Python's recursion limit (1,000), which
#: parsing, validating, rendering and storing each spend one frame per level of.
MAX_JSON_DEPTH = 32

NUL = "\x00"


class UntrustedJSONError(ValueError):
    """The document is not JSON we accept; the message is safe to show to the sender."""


def parse_untrusted_json(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The value of a JSON document from outside, or UntrustedJSONError.

    Refuses malformed JSON, `NaN`/`Infinity` (not JSON, and not storable in jsonb), nesting
    deeper than `max_depth`, and NUL characters in any string or key."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise UntrustedJSONError(f"JSON is nested too deeply (at most {max_depth} levels).") from None
    except UnicodeDecodeError as exc:
        raise UntrustedJSONError("The body is not valid UTF-8 text.") from exc
    except ValueError as exc:
        if isinstance(exc, UntrustedJSONError):
            raise
        raise UntrustedJSONError(f"Invalid JSON: {exc}") from exc
    check_untrusted_value(value, max_depth=max_depth)
    return value


def check_untrusted_value(value: Any, *, max_depth: int = MAX_JSON_DEPTH, where: str = "") -> None:
    """Raise UntrustedJSONError if a decoded JSON value nests deeper than `max_depth` or holds a
    NUL character in a string or key. Iterative, so no value can exhaust the stack here.

    `where` prefixes the path named in the message (e.g. the field the value came from)."""
    stack: list[tuple[Any, int, str]] = [(value, 1, where)]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                raise UntrustedJSONError(_nul_message(path))
            continue
        if not isinstance(item, (dict, list)):
            continue
        if depth > max_depth:
            raise UntrustedJSONError(
                f"JSON is nested too deeply{_at(path)} (at most {max_depth} levels of arrays and objects)."
            )
        if isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and NUL in key:
                    raise UntrustedJSONError(_nul_message(path, key=True))
                stack.append((child, depth + 1, child_path))
        else:
            stack.extend((child, depth + 1, f"{path}[{index}]") for index, child in enumerate(item))


def _refuse_constant(name: str) -> Any:
    raise UntrustedJSONError(f"Invalid JSON: {name} is not a JSON number.")


def _at(path: str) -> str:
    return f" at {_shown(path)}" if path else ""


def _shown(path: str) -> str:
    return "'" + path.replace(NUL, "\\u0000")[:100] + "'"


def _nul_message(path: str, *, key: bool = False) -> str:
    what = f"A key in {_shown(path)}" if key and path else "A key" if key else f"The value{_at(path)}"
    return f"{what} contains a NUL character (\\u0000), which is not allowed."


class UntrustedJSONFormField(forms.JSONField):
    """Django's form JSONField (admin forms), parsing with `parse_untrusted_json`: its own
    `json.loads` lets RecursionError through (a 500) and stores a "\\u0000" PostgreSQL refuses."""

    def to_python(self, value: Any) -> Any:
        if self.disabled or not isinstance(value, str) or not value.strip():
            return super().to_python(value)
        try:
            return parse_untrusted_json(value)
        except UntrustedJSONError as exc:
            raise ValidationError(str(exc), code="invalid") from exc

    def bound_data(self, data: Any, initial: Any) -> Any:
        """What the form shows again after an error: the text as typed when it is not JSON we
        accept (Django's own version parses it again, with the same RecursionError)."""
        if self.disabled or data is None:
            return super().bound_data(data, initial)
        try:
            return parse_untrusted_json(data)
        except UntrustedJSONError:
            return forms.fields.InvalidJSONInput(data)

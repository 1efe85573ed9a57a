"""The template language of nurture steps: Django's, in a sandbox with a fixed context.

Staff write steps in the admin, so a step is data, not code: it is compiled by an engine that
knows no files (no loaders), loads no libraries and has only the tags and filters of
`template_library`, and it sees plain values (strings, a list of findings) — never a model, so a
template cannot walk from the lead to anything else. The HTML part is autoescaped; the text part
and the subject are not (they are not HTML). `step_template_errors` compiles and renders a step
against a sample lead before it is saved, so a broken step is refused with its error and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError

from enterprise_scanner.mail import SUBJECT_MAX_LENGTH

LIBRARY = "leads.nurture.template_library"
_UNKNOWN = "\x00unknown:%s\x00"
_UNKNOWN_RE = re.compile("\x00unknown:(.*?)\x00")

#: The variables a step may use, with what they hold (shown in the admin next to the fields).
VARIABLES: dict[str, str] = {
    "first_name": "The lead's first name, or “there” when unknown (“Hi {{ first_name }},”).",
    "last_name": "The lead's last name (may be empty).",
    "company": "The lead's company name (may be empty).",
    "job_title": "The lead's job title (may be empty).",
    "grade": "The grade of the lead's latest completed assessment (A+ … F; empty when none).",
    "target_host": "The host that assessment scanned.",
    "top_findings": "Up to 3 worst findings: each has .title, .severity, .recommendation.",
    "findings_count": "How many findings that assessment had.",
    "unsubscribe_url": "The lead's one-click unsubscribe page (always added at the bottom too).",
    "site_url": "Our website.",
}

SAMPLE_CONTEXT: dict[str, Any] = {
    "first_name": "Jordan",
    "last_name": "Lee",
    "company": "Acme Corp",
    "job_title": "CISO",
    "grade": "C",
    "target_host": "www.acme.example",
    "top_findings": [
        {"title": "No Content-Security-Policy", "severity": "high", "recommendation": "Add a CSP header."},
        {"title": "HSTS missing", "severity": "medium", "recommendation": "Send Strict-Transport-Security."},
        {"title": "Cookies without Secure", "severity": "low", "recommendation": "Mark cookies Secure."},
    ],
    "findings_count": 7,
    "unsubscribe_url": "https://www.example.com/u/sample/",
    "site_url": "https://www.example.com",
}


class _SandboxEngine(Engine):
    default_builtins: list[str] = []  # not Django's defaults (they include {% load %}, {% include %}…)


def _engine(*, html: bool, strict: bool = False) -> Engine:
    return _SandboxEngine(
        dirs=[],
        app_dirs=False,
        loaders=[],
        libraries={},
        builtins=[LIBRARY],
        autoescape=html,
        debug=True,  # syntax errors carry their line
        string_if_invalid=_UNKNOWN if strict else "",
    )


_TEXT, _HTML = _engine(html=False), _engine(html=True)
_TEXT_STRICT, _HTML_STRICT = _engine(html=False, strict=True), _engine(html=True, strict=True)


def render(source: str, context: dict[str, Any], *, html: bool) -> str:
    """Render a stored (validated) template with a lead's context."""
    engine = _HTML if html else _TEXT
    return engine.from_string(source).render(Context(context, autoescape=html))


def render_subject(source: str, context: dict[str, Any]) -> str:
    """The subject line: one line, bounded, safe as a header."""
    text = render(source, context, html=False)
    return " ".join(text.split())[:SUBJECT_MAX_LENGTH]


@dataclass(frozen=True)
class TemplateProblem:
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


def template_problem(source: str, *, html: bool) -> TemplateProblem | None:
    """Why `source` cannot be a step template (None when it can): it must compile in the sandbox
    and render against the sample lead using only known variables."""
    engine = _HTML_STRICT if html else _TEXT_STRICT
    try:
        template = engine.from_string(source)
    except TemplateSyntaxError as exc:
        info = getattr(exc, "template_debug", None) or {}
        message = re.sub(r" on line \d+", "", str(exc))  # the line is said once, in front
        if message.startswith("Invalid block tag"):
            message += " Allowed tags: " + ", ".join(sorted(_allowed_tags())) + "."
        return TemplateProblem(message, info.get("line"))
    try:
        rendered = template.render(Context(dict(SAMPLE_CONTEXT), autoescape=html))
    except Exception as exc:  # noqa: BLE001 - any render failure is the template's fault; shown to staff
        return TemplateProblem(f"It fails to render: {exc}")
    unknown = _UNKNOWN_RE.search(rendered)
    if unknown:
        name = unknown.group(1) or "?"
        return TemplateProblem(
            f"Unknown variable “{name}”. Use one of: {', '.join(VARIABLES)}.", _line_of(source, name)
        )
    return None


def _allowed_tags() -> list[str]:
    from .template_library import ALLOWED_TAGS

    return list(ALLOWED_TAGS)


def _line_of(source: str, name: str) -> int | None:
    for number, line in enumerate(source.splitlines(), start=1):
        if name and name in line:
            return number
    return None

"""What the analyzers need from a page's HTML, read with the standard library's tolerant parser.

Collected: the policies a page may declare in markup — `<meta http-equiv="Content-Security-Policy">`
and `<meta name="referrer">`, the only two browsers honour (a `<meta http-equiv>` naming any other
security header, e.g. Referrer-Policy or Cross-Origin-Resource-Policy, is ignored by browsers and
by the Observatory) — `<script>` elements with their `src`/`integrity`/`crossorigin`, form actions,
and the URLs of sub-resources (mixed content).

`parseable` is False when the page cannot be read as HTML: our parser gave up on it, or an inline
`style` attribute opens a CSS grouping rule (`@media screen{…`) it never closes, which is where
the Observatory's HTML parser (jsdom) fails — both end in `html-not-parseable`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

#: Elements and attributes that load a sub-resource; active ones can run code or style the page.
ACTIVE_RESOURCES = {
    ("script", "src"),
    ("link", "href"),
    ("iframe", "src"),
    ("object", "data"),
    ("embed", "src"),
}
PASSIVE_RESOURCES = {("img", "src"), ("audio", "src"), ("video", "src"), ("source", "src")}
MAX_ITEMS = 500
CSP = "content-security-policy"
#: CSS at-rules whose `{…}` block holds rules; left open in a style attribute, jsdom's CSS parser
#: (and so the Observatory) cannot read the page. Case-sensitive, as that parser matches them.
GROUPING_AT_RULE = re.compile(
    r"@(?:media|supports|container|layer|starting-style|-moz-document|keyframes|-webkit-keyframes)\b"
)
CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)


@dataclass(frozen=True)
class Script:
    src: str | None
    integrity: str | None
    crossorigin: str | None


@dataclass
class ParsedHtml:
    #: `<meta http-equiv>` policies browsers apply: only Content-Security-Policy.
    http_equiv: dict[str, list[str]] = field(default_factory=dict)
    #: The content of the last non-empty `<meta name="referrer">` (None: none on the page).
    referrer: str | None = None
    scripts: list[Script] = field(default_factory=list)
    form_actions: list[str] = field(default_factory=list)
    active_resources: list[str] = field(default_factory=list)
    passive_resources: list[str] = field(default_factory=list)
    parseable: bool = True


def unclosed_grouping_rule(style: str) -> bool:
    """Whether inline CSS opens a grouping at-rule's block (`@media x{`) and never closes it."""
    css = CSS_COMMENT.sub("", style)
    match = GROUPING_AT_RULE.search(css)
    if match is None:
        return False
    depth, quote = 0, ""
    for ch in css[match.start() :]:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
    return depth > 0


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = ParsedHtml()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in reversed(attrs)}
        present = {name.lower() for name, _ in attrs}
        result = self.result
        if result.parseable and "style" in values and unclosed_grouping_rule(values["style"]):
            result.parseable = False
        if tag == "meta":
            self._meta(values, present)
        if tag == "script" and len(result.scripts) < MAX_ITEMS:
            result.scripts.append(
                Script(
                    src=values.get("src") or None,
                    integrity=values.get("integrity") or None,
                    crossorigin=values.get("crossorigin"),
                )
            )
        if tag == "form" and len(result.form_actions) < MAX_ITEMS:
            result.form_actions.append(values.get("action", ""))
        for kinds, bucket in (
            (ACTIVE_RESOURCES, result.active_resources),
            (PASSIVE_RESOURCES, result.passive_resources),
        ):
            for element, attribute in kinds:
                if tag == element and values.get(attribute) and len(bucket) < MAX_ITEMS:
                    if tag == "link" and "stylesheet" not in values.get("rel", "").lower():
                        continue
                    bucket.append(values[attribute].strip())

    def _meta(self, values: dict[str, str], present: set[str]) -> None:
        # A meta with both http-equiv and content is a pragma; only CSP is one browsers apply.
        if "http-equiv" in present and "content" in present:
            if values["http-equiv"].strip().lower() == CSP and values["content"]:
                self.result.http_equiv.setdefault(CSP, []).append(values["content"])
        elif values.get("name", "").strip().lower() == "referrer" and values.get("content"):
            self.result.referrer = values["content"]  # the last one wins, as in browsers

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def parse_html(text: str) -> ParsedHtml:
    collector = _Collector()
    try:
        collector.feed(text)
        collector.close()
    except (AssertionError, ValueError):
        # html.parser raises on some malformed declarations (e.g. `<![if`): not readable HTML.
        collector.result.parseable = False
    return collector.result

"""What the analyzers need from a page's HTML, read with the standard library's tolerant parser.

Collected: `<meta http-equiv>` policies (CSP, Referrer-Policy), `<script>` elements with their
`src`/`integrity`/`crossorigin`, form actions, and the URLs of sub-resources (mixed content).
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Script:
    src: str | None
    integrity: str | None
    crossorigin: str | None


@dataclass
class ParsedHtml:
    http_equiv: dict[str, list[str]] = field(default_factory=dict)
    scripts: list[Script] = field(default_factory=list)
    form_actions: list[str] = field(default_factory=list)
    active_resources: list[str] = field(default_factory=list)
    passive_resources: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.result = ParsedHtml()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        result = self.result
        if tag == "meta" and values.get("http-equiv"):
            name = values["http-equiv"].strip().lower()
            result.http_equiv.setdefault(name, []).append(values.get("content", ""))
        elif tag == "meta" and values.get("name", "").lower() == "referrer":
            result.http_equiv.setdefault("referrer-policy", []).append(values.get("content", ""))
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

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def parse_html(text: str) -> ParsedHtml:
    collector = _Collector()
    collector.feed(text)
    collector.close()
    return collector.result

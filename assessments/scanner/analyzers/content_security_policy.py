"""content-security-policy: is there an enforced CSP, and does it stop injected script?

The first matching rule decides (most serious first): unsafe inline/broad script or object
sources, http: active sources on an https page, unsafe-eval, http: passive (img/media) sources,
unsafe style sources; otherwise `default-src 'none'` earns the best result. Nonces/hashes make
'unsafe-inline' ignored, and 'strict-dynamic' (with a nonce/hash) ignores host and scheme sources,
as in browsers.
"""

from __future__ import annotations

from ..retriever import FetchedResponse, Retrieval
from . import TestResult
from .csp_parser import CspInvalid, ParsedCsp, parse_policies, split_policies

NAME = "content-security-policy"
DANGEROUSLY_BROAD = frozenset(
    {"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*"}
)
UNSAFE_INLINE = frozenset({"'unsafe-inline'", "data:"})
BROAD_OR_INLINE = DANGEROUSLY_BROAD | UNSAFE_INLINE
PASSIVE_DIRECTIVES = ("img-src", "media-src")
NONCE_HASH_PREFIXES = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
PASSING = frozenset(
    {
        "csp-implemented-with-no-unsafe",
        "csp-implemented-with-no-unsafe-default-src-none",
        "csp-implemented-with-unsafe-inline-in-style-src-only",
        "csp-implemented-with-insecure-scheme-in-passive-content-only",
    }
)


def _has_nonce_or_hash(sources: set[str]) -> bool:
    return any(source.startswith(NONCE_HASH_PREFIXES) for source in sources)


def policies(response: FetchedResponse) -> tuple[list[str], list[str]]:
    """The header policies and the `<meta http-equiv>` ones (read only from an HTML page)."""
    meta = response.html.http_equiv.get("content-security-policy", []) if response.is_html else []
    return split_policies(response.header_values("content-security-policy")), meta


def frame_ancestors(response: FetchedResponse | None) -> set[str] | None:
    """The enforced `frame-ancestors` sources, or None when the page sets none (or its CSP is
    invalid). Only a header sets it: browsers ignore it in `<meta>` — where the Observatory
    counts it (a documented departure: docs/scanner-parity.md)."""
    if response is None:
        return None
    header, meta = policies(response)
    try:
        parse_policies(header + meta)
        return parse_policies(header).get("frame-ancestors")
    except CspInvalid:
        return None


def analyze(retrieval: Retrieval) -> TestResult:
    response = retrieval.auto
    if response is None:
        return TestResult(NAME, "csp-not-implemented", False)
    parsed = _parse(response)
    if isinstance(parsed, TestResult):
        return parsed
    csp, header_only, evidence = parsed
    directives = csp.directives
    default_src = directives.get("default-src")
    object_src = set(directives.get("object-src") or default_src or {"*"})
    script_src, style_src, strict_dynamic_invalid = _script_and_style_sources(directives)
    if strict_dynamic_invalid:
        result = "csp-header-invalid"
    else:
        result = _first_result(
            directives=directives,
            script_src=script_src,
            style_src=style_src,
            object_src=object_src,
            is_https=retrieval.https is not None,  # the graded session began on https://
        )
    passed = result in PASSING
    if passed and csp.duplicates:
        result = "csp-implemented-but-duplicate-directives"
    ancestors = header_only.get("frame-ancestors") or {"*"}
    data = {
        "policy": {name: sorted(sources) for name, sources in sorted(directives.items())},
        "frame_ancestors_restricted": not (ancestors & DANGEROUSLY_BROAD),
        "duplicates": sorted(set(csp.duplicates)),
    }
    return TestResult(NAME, result, passed, evidence=evidence, data=data)


def _parse(response: FetchedResponse) -> tuple[ParsedCsp, ParsedCsp, str] | TestResult:
    """(the combined policy, the header-only policy, the evidence), or the result when there is nothing to grade:
    an unparseable policy, or none at all (perhaps only a report-only one). Only the headers can
    restrict framing (`frame-ancestors` is ignored in <meta>)."""
    http_policies, meta_policies = policies(response)
    evidence = "; ".join(http_policies + meta_policies)[:1024]
    try:
        csp = parse_policies(http_policies + meta_policies)
    except CspInvalid as exc:
        return TestResult(NAME, "csp-header-invalid", False, evidence=evidence, data={"error": str(exc)})
    try:
        header_only = parse_policies(http_policies)
    except CspInvalid:
        header_only = ParsedCsp()
    try:
        meta = parse_policies(meta_policies, meta=True)
    except CspInvalid:
        meta = ParsedCsp()
    if header_only.size + meta.size == 0:
        report_only = response.header("content-security-policy-report-only")
        if report_only:
            return TestResult(NAME, "csp-not-implemented-but-reporting-enabled", False, evidence=report_only)
        return TestResult(NAME, "csp-not-implemented", False)
    return csp, header_only, evidence


def _script_and_style_sources(directives: dict[str, set[str]]) -> tuple[set[str], set[str], bool]:
    """(script sources, style sources, strict-dynamic without a nonce or hash) as browsers apply
    them: a nonce or hash voids 'unsafe-inline'; with 'strict-dynamic' (and a nonce or hash) the
    host, scheme and 'self' sources are ignored; without one 'strict-dynamic' is invalid."""
    default_src = directives.get("default-src")
    script_src = set(directives.get("script-src") or default_src or {"*"})
    style_src = set(directives.get("style-src") or default_src or {"*"})
    for sources in (script_src, style_src):
        if _has_nonce_or_hash(sources):
            sources.discard("'unsafe-inline'")
    if "'strict-dynamic'" not in script_src:
        return script_src, style_src, False
    if not _has_nonce_or_hash(script_src):
        return script_src, style_src, True
    script_src = {
        s
        for s in script_src
        if not any(s.startswith(b) for b in DANGEROUSLY_BROAD) and s not in ("'self'", "'unsafe-inline'")
    }
    return script_src, style_src, False


def _first_result(
    *,
    directives: dict[str, set[str]],
    script_src: set[str],
    style_src: set[str],
    object_src: set[str],
    is_https: bool,
) -> str:
    """The Observatory's result for a valid policy: the first of its checks that applies, worst first."""
    default_src = directives.get("default-src")
    active_sources = [
        source
        for name, sources in directives.items()
        if name not in PASSIVE_DIRECTIVES and name != "script-src"
        for source in sources
    ] + list(script_src)
    passive_sources = [
        source for name in PASSIVE_DIRECTIVES for source in (directives.get(name) or default_src or set())
    ]
    if script_src & BROAD_OR_INLINE or object_src & DANGEROUSLY_BROAD:
        return "csp-implemented-with-unsafe-inline"
    if is_https and any(s.startswith(("http:", "ftp:")) for s in active_sources):
        return "csp-implemented-with-insecure-scheme"
    if "'unsafe-eval'" in script_src | style_src:
        return "csp-implemented-with-unsafe-eval"
    if is_https and any(s.startswith(("http:", "ftp:")) for s in passive_sources):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if style_src & BROAD_OR_INLINE:
        return "csp-implemented-with-unsafe-inline-in-style-src-only"
    if default_src == {"'none'"}:
        return "csp-implemented-with-no-unsafe-default-src-none"
    return "csp-implemented-with-no-unsafe"

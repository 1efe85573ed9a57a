"""The fixture sites the parity test scans with both tools: every Observatory test and result
family, each parity defect of issue 16, and the three documented departures."""

from __future__ import annotations

from .sites import Answer, Site

HTML = ("Content-Type", "text/html; charset=utf-8")
PAGE = "<!doctype html><html><head><title>Acme</title></head><body><h1>Acme</h1></body></html>"
GOOD = [
    HTML,
    (
        "Content-Security-Policy",
        "default-src 'none'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'",
    ),
    ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
]
BASIC = [HTML, ("Strict-Transport-Security", "max-age=63072000"), ("X-Content-Type-Options", "nosniff")]
TO_HTTPS: Answer = (301, [("Location", "https://{host}/")], "")


def without(headers: list[tuple[str, str]], *names: str) -> list[tuple[str, str]]:
    lowered = {n.lower() for n in names}
    return [(k, v) for k, v in headers if k.lower() not in lowered]


def site(
    name: str,
    *,
    headers: list[tuple[str, str]] | None = None,
    body: str = PAGE,
    status: int = 200,
    http: Answer | None = TO_HTTPS,
    extra: dict[tuple[str, str, str], Answer] | None = None,
    departures: dict[str, tuple[str, str]] | None = None,
    https: bool = True,
) -> Site:
    answers: dict[tuple[str, str, str], Answer] = {}
    if https:
        answers[("https", "GET", "/")] = (status, GOOD if headers is None else headers, body)
    if http is not None:
        answers[("http", "GET", "/")] = http
    answers.update(extra or {})
    return Site(name, answers, departures or {}, https=https, http=http is not None)


def page_with(head: str = "", body: str = "") -> str:
    return f"<!doctype html><html><head><title>x</title>{head}</head><body>{body}</body></html>"


SITES: list[Site] = [
    site("good"),
    site("no-security-headers", headers=[HTML]),
    site("plain-http-only", https=False, http=(200, [HTML], PAGE)),
    site("http-not-redirected", http=(200, [HTML], PAGE)),
    site("redirect-to-another-host", http=(301, [("Location", "https://{first}/")], "")),
    site(
        "redirect-over-http-first",
        http=(301, [("Location", "http://{host}/step")], ""),
        extra={("http", "GET", "/step"): TO_HTTPS},
    ),
    # Defect 1: login walls and a final redirect are graded.
    site("login-wall-401", status=401, headers=[*GOOD, ("WWW-Authenticate", 'Basic realm="staff"')]),
    site("forbidden-403", status=403),
    site("multiple-choices-300", status=300, headers=[*BASIC, ("Location", "/en")]),
    site(
        "redirect-loop",
        headers=[*BASIC, ("Location", "/loop")],
        status=302,
        extra={("https", "GET", "/loop"): (302, [*GOOD, ("Location", "/loop")], "")},
    ),
    # Defect 2 and CSP variants.
    site(
        "csp-repeated-directive",
        headers=[
            *BASIC,
            ("Content-Security-Policy", "default-src 'self'; script-src 'self'; script-src 'unsafe-inline'"),
        ],
    ),
    site(
        "csp-repeated-report-uri",
        headers=[*BASIC, ("Content-Security-Policy", "default-src 'self'; report-uri /a; report-uri /b")],
    ),
    site(
        "csp-unsafe-inline",
        headers=[
            *BASIC,
            ("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'"),
        ],
    ),
    site(
        "csp-unsafe-eval",
        headers=[*BASIC, ("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-eval'")],
    ),
    site(
        "csp-http-images",
        headers=[*BASIC, ("Content-Security-Policy", "default-src 'self'; img-src http://img.example.com")],
    ),
    site(
        "csp-strict-dynamic-without-nonce",
        headers=[*BASIC, ("Content-Security-Policy", "default-src 'self'; script-src 'strict-dynamic'")],
    ),
    site(
        "csp-nonce-strict-dynamic",
        headers=[
            *BASIC,
            (
                "Content-Security-Policy",
                "default-src 'self'; object-src 'none'; script-src 'nonce-abc' 'strict-dynamic' https: 'unsafe-inline'",
            ),
        ],
    ),
    site("csp-report-only", headers=[*BASIC, ("Content-Security-Policy-Report-Only", "default-src 'self'")]),
    site(
        "csp-in-meta",
        headers=BASIC,
        body=page_with('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">'),
    ),
    site(
        "csp-header-and-meta",
        headers=[
            *BASIC,
            ("Content-Security-Policy", "default-src 'self'; script-src 'self' 'unsafe-inline'"),
        ],
        body=page_with('<meta http-equiv="Content-Security-Policy" content="script-src \'self\'">'),
    ),
    # Departure 1: frame-ancestors in a <meta> CSP (browsers ignore it; the Observatory counts it).
    site(
        "meta-frame-ancestors",
        headers=BASIC,
        body=page_with(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; frame-ancestors 'none'\">"
        ),
        departures={
            "x-frame-options": ("x-frame-options-implemented-via-csp", "x-frame-options-not-implemented")
        },
    ),
    # Defects 3 and 4 and cookie variants.
    site(
        "cookie-prefixes-broken",
        headers=[
            *GOOD,
            ("Set-Cookie", "__Host-sessionid=1; HttpOnly; Path=/; SameSite=Lax"),
            ("Set-Cookie", "__Secure-login=2; HttpOnly; SameSite=Lax"),
            ("Set-Cookie", "__Host-id=3; Secure; Path=/app; SameSite=Lax"),
            ("Set-Cookie", "id=4; Secure; SameSite=Strict"),
        ],
    ),
    site(
        "cookie-on-http-redirect",
        headers=[*GOOD, ("Set-Cookie", "sessionid=1; Secure; HttpOnly; SameSite=Lax")],
        http=(301, [("Location", "https://{host}/"), ("Set-Cookie", "tracking=1; Path=/")], ""),
    ),
    site(
        "cookie-on-https-redirect",
        headers=[HTML, ("Location", "/home"), ("Set-Cookie", "sessionid=1; Secure; SameSite=Lax")],
        status=302,
        extra={("https", "GET", "/home"): (200, GOOD, PAGE)},
    ),
    site("cookie-samesite-invalid", headers=[*GOOD, ("Set-Cookie", "id=1; Secure; SameSite=Sometimes")]),
    site("cookie-session-insecure", headers=[*GOOD, ("Set-Cookie", "sessionid=1; HttpOnly")]),
    site("cookie-csrf-without-samesite", headers=[*GOOD, ("Set-Cookie", "csrftoken=1; Secure")]),
    # Defect 5 and CORS variants.
    site(
        "cors-on-preflight-only",
        extra={("https", "OPTIONS", "/"): (204, [("Access-Control-Allow-Origin", "*")], "")},
    ),
    site(
        "cors-restricted",
        headers=[*GOOD, ("Access-Control-Allow-Origin", "https://partner.example.org")],
        extra={
            ("https", "OPTIONS", "/"): (
                204,
                [("Access-Control-Allow-Origin", "https://partner.example.org")],
                "",
            )
        },
    ),
    # Departure 2: a reflected Origin with credentials (the Observatory never scores it).
    site(
        "cors-reflected-with-credentials",
        headers=[
            *GOOD,
            ("Access-Control-Allow-Origin", "{origin}"),
            ("Access-Control-Allow-Credentials", "true"),
        ],
        extra={
            ("https", "OPTIONS", "/"): (
                204,
                [("Access-Control-Allow-Origin", "{origin}"), ("Access-Control-Allow-Credentials", "true")],
                "",
            )
        },
        departures={
            "cross-origin-resource-sharing": (
                "cross-origin-resource-sharing-implemented-with-restricted-access",
                "cross-origin-resource-sharing-implemented-with-universal-access",
            )
        },
    ),
    # Defect 6: security headers sent twice.
    site("hsts-twice", headers=[*GOOD, ("Strict-Transport-Security", "max-age=63072000")]),
    site("nosniff-twice", headers=[*GOOD, ("X-Content-Type-Options", "nosniff")]),
    site("xfo-twice", headers=[*without(GOOD, "Content-Security-Policy"), ("X-Frame-Options", "DENY")]),
    site("corp-twice", headers=[*GOOD, ("Cross-Origin-Resource-Policy", "same-origin")]),
    # Defect 7: which <meta> policies count.
    site(
        "meta-referrer",
        headers=without(GOOD, "Referrer-Policy"),
        body=page_with('<meta name="referrer" content="no-referrer">'),
    ),
    site(
        "meta-http-equiv-ignored",
        headers=without(GOOD, "Referrer-Policy", "Cross-Origin-Resource-Policy"),
        body=page_with(
            '<meta http-equiv="Referrer-Policy" content="unsafe-url">'
            '<meta http-equiv="Cross-Origin-Resource-Policy" content="same-origin">'
        ),
    ),
    site("referrer-unsafe", headers=[*without(GOOD, "Referrer-Policy"), ("Referrer-Policy", "unsafe-url")]),
    # Defect 8.
    site(
        "html-not-parseable",
        body=page_with(body='<div style="@media only screen{background-image: url(x)">x</div>'),
    ),
    # SRI.
    site("sri-missing-https-cdn", body=page_with('<script src="https://cdn.example.com/a.js"></script>')),
    site(
        "sri-present",
        body=page_with(
            '<script src="https://cdn.example.com/a.js" integrity="sha384-abc" crossorigin="anonymous"></script>'
        ),
    ),
    site("sri-http-cdn", body=page_with('<script src="http://cdn.example.com/a.js"></script>')),
    site("sri-same-origin", body=page_with('<script src="/app.js"></script>')),
    site(
        "not-html",
        headers=[*without(GOOD, "Content-Type"), ("Content-Type", "application/json")],
        body='{"ok": true}',
    ),
    # HSTS variants; departure 3: a max-age that is not a number.
    site(
        "hsts-short",
        headers=[*without(GOOD, "Strict-Transport-Security"), ("Strict-Transport-Security", "max-age=300")],
    ),
    site(
        "hsts-max-age-abc",
        headers=[*without(GOOD, "Strict-Transport-Security"), ("Strict-Transport-Security", "max-age=abc")],
        departures={
            "strict-transport-security": (
                "hsts-implemented-max-age-at-least-six-months",
                "hsts-header-invalid",
            )
        },
    ),
    site(
        "xfo-allow-from",
        headers=[
            *without(GOOD, "Content-Security-Policy", "X-Frame-Options"),
            ("X-Frame-Options", "ALLOW-FROM https://a.example"),
        ],
    ),
]

"""Findings of the HTTP response headers the Observatory tests (CSP, cookies, CORS, redirection,
Referrer-Policy, HSTS, SRI, X-Content-Type-Options, X-Frame-Options, CORP, COOP, COEP).
"""

from __future__ import annotations

from .guidance import Guidance

CSP = Guidance(
    area="content-injection",
    why=(
        "Content Security Policy tells browsers which scripts may run. Without a strict one, a single "
        "cross-site scripting bug lets an attacker run code in your visitors' sessions: steal data, "
        "skim card numbers or act as the user."
    ),
    fix=(
        "Send a Content-Security-Policy header that starts from default-src 'none' (or 'self'), lists "
        "only the sources you use, and has no 'unsafe-inline', 'unsafe-eval', data: or wildcard in "
        "script-src and object-src (use nonces or hashes for inline scripts). Roll it out with "
        "Content-Security-Policy-Report-Only first, then enforce."
    ),
    nginx="add_header Content-Security-Policy \"default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'\" always;",
    apache="Header always set Content-Security-Policy \"default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'\"",
)
COOKIES = Guidance(
    area="cookies",
    why=(
        "Cookies without Secure travel over plain HTTP where anyone on the network can read them; "
        "session cookies without HttpOnly can be stolen by injected script; cookies without SameSite "
        "are sent along with requests forged by other sites (CSRF)."
    ),
    fix="Set every cookie with Secure, session cookies also with HttpOnly, and all with SameSite=Lax or Strict (prefer the __Host- prefix).",
    nginx="proxy_cookie_flags ~ secure httponly samesite=lax;",
    apache='Header always edit Set-Cookie ^(.*)$ "$1; Secure; HttpOnly; SameSite=Lax"',
)
CORS = Guidance(
    area="cross-origin",
    why=(
        "The site reflects any Origin in Access-Control-Allow-Origin and allows credentials: any website "
        "a logged-in user visits can read their data from yours and act as them."
    ),
    fix="Allow only a fixed list of trusted origins when credentials are needed; for public data use Access-Control-Allow-Origin: * without credentials; otherwise send neither header.",
    nginx='# only for origins in an explicit map:\nmap $http_origin $cors_origin { default ""; "https://app.example.com" $http_origin; }\n    add_header Access-Control-Allow-Origin $cors_origin always;',
    apache='SetEnvIf Origin "^https://app\\.example\\.com$" CORS_ORIGIN=$0\n    Header always set Access-Control-Allow-Origin %{CORS_ORIGIN}e env=CORS_ORIGIN',
)
REDIRECTION = Guidance(
    area="transport",
    why=(
        "Visitors who type your address or follow an old link arrive over plain HTTP. Unless that "
        "first request is redirected straight to HTTPS on the same host, an attacker on the network "
        "can read or alter the page, and HSTS never gets a chance to protect later visits."
    ),
    fix="Redirect every http:// request with a 301 to https:// on the same host first; redirect to other hosts only from HTTPS.",
    nginx="server { listen 80; server_name example.com; return 301 https://$host$request_uri; }",
    apache="<VirtualHost *:80>\n      Redirect permanent / https://example.com/\n    </VirtualHost>",
)
REFERRER = Guidance(
    area="browser-hardening",
    why="Without a strict Referrer-Policy, the full address of your pages (which can include search terms, ids or tokens) is sent to every site you link to or load resources from.",
    fix="Send Referrer-Policy: strict-origin-when-cross-origin (or no-referrer).",
    nginx='add_header Referrer-Policy "strict-origin-when-cross-origin" always;',
    apache='Header always set Referrer-Policy "strict-origin-when-cross-origin"',
)
HSTS = Guidance(
    area="transport",
    why=(
        "HTTP Strict Transport Security makes browsers use HTTPS for your site even when someone "
        "types http:// or follows an old link, closing the window in which an attacker on public "
        "Wi-Fi can downgrade the connection and steal sessions."
    ),
    fix="Serve HTTPS with a valid certificate and send Strict-Transport-Security with a max-age of at least one year (31536000), includeSubDomains once all subdomains are HTTPS.",
    nginx='add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;',
    apache='Header always set Strict-Transport-Security "max-age=31536000; includeSubDomains"',
)
SRI = Guidance(
    area="script-integrity",
    why=(
        "Scripts loaded from other sites run with full access to your pages. If that CDN or third "
        "party is compromised (as in the Magecart card-skimming attacks), so is your site, unless each "
        "script is pinned with a Subresource Integrity hash and loaded over HTTPS."
    ),
    fix='Load third-party scripts over https:// and add integrity="sha384-…" crossorigin="anonymous" to each <script> tag (generate the hash with `openssl dgst -sha384 -binary file.js | openssl base64 -A`).',
)
HTML = Guidance(
    area="script-integrity",
    why=(
        "The page is served as HTML but cannot be parsed (an inline style opens a CSS @media or "
        "@supports block it never closes, or the markup itself is broken), so neither browsers nor "
        "this scan can tell reliably which scripts it loads or which policies it declares."
    ),
    fix="Serve well-formed HTML: validate the page (e.g. with the W3C validator) and close every CSS block in style attributes.",
)
XCTO = Guidance(
    area="browser-hardening",
    why="Without X-Content-Type-Options: nosniff, browsers may guess that an uploaded file or API response is a script or stylesheet and run it.",
    fix="Send X-Content-Type-Options: nosniff on every response.",
    nginx='add_header X-Content-Type-Options "nosniff" always;',
    apache='Header always set X-Content-Type-Options "nosniff"',
)
XFO = Guidance(
    area="framing",
    why="If any site may frame your pages, it can overlay them invisibly and trick users into clicking buttons they cannot see (clickjacking): approving payments, changing settings.",
    fix="Send Content-Security-Policy: frame-ancestors 'none' (or 'self'), and X-Frame-Options: DENY for older browsers.",
    nginx='add_header Content-Security-Policy "frame-ancestors \'none\'" always;\n    add_header X-Frame-Options "DENY" always;',
    apache='Header always set Content-Security-Policy "frame-ancestors \'none\'"\n    Header always set X-Frame-Options "DENY"',
)
CORP = Guidance(
    area="cross-origin",
    why="A malformed Cross-Origin-Resource-Policy is ignored, so other sites may embed and, with side-channel attacks such as Spectre, read your responses.",
    fix="Send Cross-Origin-Resource-Policy: same-origin (or same-site).",
    nginx='add_header Cross-Origin-Resource-Policy "same-origin" always;',
    apache='Header always set Cross-Origin-Resource-Policy "same-origin"',
)
COOP = Guidance(
    area="browser-hardening",
    why="Without Cross-Origin-Opener-Policy, a page your site opens (or that opens it) keeps a handle on its window, which enables tab-nabbing and cross-site leaks.",
    fix="Send Cross-Origin-Opener-Policy: same-origin (same-origin-allow-popups if you rely on pop-up sign-in).",
    nginx='add_header Cross-Origin-Opener-Policy "same-origin" always;',
    apache='Header always set Cross-Origin-Opener-Policy "same-origin"',
)
COEP = Guidance(
    area="browser-hardening",
    why="A malformed Cross-Origin-Embedder-Policy is ignored, so the page does not get the cross-origin isolation it asked for.",
    fix="Send Cross-Origin-Embedder-Policy: require-corp (or credentialless).",
    nginx='add_header Cross-Origin-Embedder-Policy "require-corp" always;',
    apache='Header always set Cross-Origin-Embedder-Policy "require-corp"',
)

#: check id → (title, severity, guidance), in the order the catalogue lists them.
FINDINGS: dict[str, tuple[str, str, Guidance]] = {
    # CSP
    "csp-not-implemented": ("No Content Security Policy", "high", CSP),
    "csp-not-implemented-but-reporting-enabled": (
        "Content Security Policy only in report-only mode",
        "high",
        CSP,
    ),
    "csp-header-invalid": ("Content Security Policy cannot be parsed", "high", CSP),
    "csp-implemented-with-unsafe-inline": (
        "Content Security Policy allows inline or any-origin scripts",
        "high",
        CSP,
    ),
    "csp-implemented-with-insecure-scheme": (
        "Content Security Policy allows scripts over plain HTTP",
        "high",
        CSP,
    ),
    "csp-implemented-with-unsafe-eval": ("Content Security Policy allows 'unsafe-eval'", "medium", CSP),
    "csp-implemented-with-insecure-scheme-in-passive-content-only": (
        "Content Security Policy allows images or media over plain HTTP",
        "low",
        CSP,
    ),
    "csp-implemented-with-unsafe-inline-in-style-src-only": (
        "Content Security Policy allows inline styles",
        "low",
        CSP,
    ),
    "csp-implemented-but-duplicate-directives": ("Content Security Policy repeats directives", "info", CSP),
    # Cookies
    "cookies-session-without-secure-flag": (
        "Session cookie sent without the Secure flag",
        "critical",
        COOKIES,
    ),
    "cookies-session-without-httponly-flag": (
        "Session cookie readable by scripts (no HttpOnly)",
        "high",
        COOKIES,
    ),
    "cookies-anticsrf-without-samesite-flag": ("Anti-CSRF cookie without SameSite", "medium", COOKIES),
    "cookies-samesite-flag-invalid": ("Cookie with an invalid SameSite value", "medium", COOKIES),
    "cookies-without-secure-flag": ("Cookies sent without the Secure flag", "medium", COOKIES),
    "cookies-session-without-secure-flag-but-protected-by-hsts": (
        "Session cookie without the Secure flag (HSTS mitigates)",
        "low",
        COOKIES,
    ),
    "cookies-without-secure-flag-but-protected-by-hsts": (
        "Cookies without the Secure flag (HSTS mitigates)",
        "low",
        COOKIES,
    ),
    "cookies-secure-with-httponly-sessions": ("Cookies without SameSite", "info", COOKIES),
    # CORS
    "cross-origin-resource-sharing-implemented-with-universal-access": (
        "Any website can read authenticated responses (CORS)",
        "critical",
        CORS,
    ),
    # Redirection
    "redirection-missing": ("HTTP does not redirect to HTTPS", "high", REDIRECTION),
    "redirection-not-to-https": ("HTTP redirects, but not to HTTPS", "high", REDIRECTION),
    "redirection-invalid-cert": ("Invalid certificate on the redirect to HTTPS", "high", REDIRECTION),
    "redirection-not-to-https-on-initial-redirection": (
        "First redirect is not to HTTPS",
        "medium",
        REDIRECTION,
    ),
    "redirection-off-host-from-http": ("HTTP redirects to HTTPS on a different host", "low", REDIRECTION),
    # Referrer policy
    "referrer-policy-unsafe": ("Referrer-Policy leaks full URLs", "low", REFERRER),
    "referrer-policy-header-invalid": ("Referrer-Policy not recognised", "low", REFERRER),
    "referrer-policy-not-implemented": ("No Referrer-Policy", "info", REFERRER),
    # HSTS
    "hsts-not-implemented": ("No HTTP Strict Transport Security (HSTS)", "high", HSTS),
    "hsts-header-invalid": ("HSTS header cannot be understood", "high", HSTS),
    "hsts-invalid-cert": ("HSTS cannot work: invalid certificate", "high", HSTS),
    "hsts-not-implemented-no-https": ("No HSTS: the site is not available over HTTPS", "high", HSTS),
    "hsts-implemented-max-age-less-than-six-months": ("HSTS max-age under six months", "medium", HSTS),
    # SRI
    "sri-not-implemented-and-external-scripts-not-loaded-securely": (
        "Third-party scripts over HTTP without integrity checks",
        "critical",
        SRI,
    ),
    "sri-implemented-but-external-scripts-not-loaded-securely": (
        "Third-party scripts loaded over HTTP",
        "high",
        SRI,
    ),
    "sri-not-implemented-but-external-scripts-loaded-securely": (
        "Third-party scripts without Subresource Integrity",
        "medium",
        SRI,
    ),
    "html-not-parseable": ("The page cannot be parsed as HTML", "medium", HTML),
    # X-Content-Type-Options
    "x-content-type-options-not-implemented": ("No X-Content-Type-Options: nosniff", "low", XCTO),
    "x-content-type-options-header-invalid": ("X-Content-Type-Options not recognised", "low", XCTO),
    # X-Frame-Options
    "x-frame-options-not-implemented": ("Pages can be framed by any site (clickjacking)", "medium", XFO),
    "x-frame-options-header-invalid": ("X-Frame-Options not recognised (clickjacking)", "medium", XFO),
    # CORP, COOP, COEP
    "corp-header-invalid": ("Cross-Origin-Resource-Policy not recognised", "low", CORP),
    "coop-header-invalid": ("Cross-Origin-Opener-Policy not recognised", "low", COOP),
    "coop-not-implemented": ("No Cross-Origin-Opener-Policy", "info", COOP),
    "coep-header-invalid": ("Cross-Origin-Embedder-Policy not recognised", "low", COEP),
}

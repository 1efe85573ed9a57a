"""Findings beyond the Observatory about what the site gives away (version leaks) and what its page
loads or submits (Permissions-Policy, mixed content, insecure forms).
"""

from __future__ import annotations

from .guidance import Guidance

INFO_LEAK = Guidance(
    area="info-disclosure",
    why="Version banners tell attackers exactly which software and version you run, so they can pick known exploits without probing.",
    fix="Remove version details from Server and drop X-Powered-By, X-AspNet-Version and similar headers.",
    nginx="server_tokens off;\n    proxy_hide_header X-Powered-By;",
    apache="ServerTokens Prod\n    ServerSignature Off\n    Header always unset X-Powered-By",
)
PERMISSIONS = Guidance(
    area="browser-hardening",
    why="Permissions-Policy switches off powerful browser features (camera, microphone, geolocation, payment) the site does not use, so injected or third-party code cannot use them either.",
    fix="Send a Permissions-Policy that disables what you do not use.",
    nginx='add_header Permissions-Policy "camera=(), microphone=(), geolocation=(), payment=()" always;',
    apache='Header always set Permissions-Policy "camera=(), microphone=(), geolocation=(), payment=()"',
)
MIXED = Guidance(
    area="transport",
    why="An HTTPS page that loads scripts, styles or images over plain HTTP gives a network attacker a way to change the page (active content) or see what visitors view (passive content).",
    fix="Load every resource over https:// (or relative URLs), and add upgrade-insecure-requests to the CSP as a safety net.",
    nginx='add_header Content-Security-Policy "upgrade-insecure-requests" always;',
    apache='Header always set Content-Security-Policy "upgrade-insecure-requests"',
)
FORMS = Guidance(
    area="transport",
    why="A form that posts to an http:// address sends what visitors type — passwords, personal data — unencrypted, even from an HTTPS page.",
    fix="Make every form action https:// (or relative), and set CSP form-action to limit where forms may post.",
)

#: check id → (title, severity, guidance), in the order the catalogue lists them.
FINDINGS: dict[str, tuple[str, str, Guidance]] = {
    # Beyond the Observatory: leaks and page content
    "info-leak-server-version": ("Server header reveals the software version", "low", INFO_LEAK),
    "info-leak-x-powered-by": ("X-Powered-By reveals the technology stack", "low", INFO_LEAK),
    "info-leak-x-aspnet-version": ("X-AspNet-Version reveals the framework version", "low", INFO_LEAK),
    "info-leak-x-aspnetmvc-version": ("X-AspNetMvc-Version reveals the framework version", "low", INFO_LEAK),
    "info-leak-x-generator": ("X-Generator reveals the CMS", "low", INFO_LEAK),
    "permissions-policy-not-implemented": ("No Permissions-Policy", "low", PERMISSIONS),
    "mixed-content-active": ("HTTPS page loads scripts or styles over HTTP", "high", MIXED),
    "mixed-content-passive": ("HTTPS page loads images or media over HTTP", "medium", MIXED),
    "form-action-insecure": ("Form submits over plain HTTP", "high", FORMS),
}

"""Security headers on every kind of answer (issue 12, defect 10), in process. The deployed
shape (daphne over HTTPS, graded by our own scanner) is checked in smoke/test_security_headers.py,
and the pages working under the policy in test_browser_csp.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

PAGES = ("/", "/admin/login/", "/api/docs/", "/api/v1/leads/", "/api/schema/", "/healthz")


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", PAGES)
def test_pages_and_api_answers_carry_the_policies(client: Client, path: str) -> None:
    response = client.get(path, secure=True)
    csp = directives(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"][0] == "'self'"
    assert not {"'unsafe-inline'", "*", "data:"} & set(csp["script-src"])
    # 'unsafe-eval' on admin pages only: unfold's Alpine.js (AdminAwareCSPMiddleware).
    assert ("'unsafe-eval'" in csp["script-src"]) == path.startswith("/admin/")
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"]
    assert "'self'" in csp["connect-src"]
    assert (
        "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    )
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Server" not in response


def test_a_nonce_is_new_per_response_and_only_in_the_header_when_used(rf) -> None:
    """Templates that need an inline script write <script nonce="{{ CSP_NONCE }}">: the nonce
    is then in script-src, different on every response."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}">1</script>')

    nonces = set()
    for _ in range(2):
        request = rf.get("/")
        middleware = CSPMiddleware(view)
        response = middleware(request)
        script_src = directives(response["Content-Security-Policy"])["script-src"]
        nonce = next(v for v in script_src if v.startswith("'nonce-"))
        assert nonce[len("'nonce-") : -1] in response.content.decode()
        nonces.add(nonce)
    assert len(nonces) == 2
    plain = CSPMiddleware(lambda request: HttpResponse("no scripts"))(rf.get("/"))
    assert not any(
        v.startswith("'nonce-") for v in directives(plain["Content-Security-Policy"])["script-src"]
    )


@pytest.mark.parametrize(
    "path", ["/static/analytics/kit.js", "/static/chat/widget.js", "/static/chat/console.js"]
)
def test_static_scripts_stay_loadable_from_customers_sites(client: Client, path: str) -> None:
    """Customers' pages <script src> the kit and widget (a cross-origin no-cors load)."""
    response = client.get(path, secure=True)
    assert response.status_code == 200
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_every_way_we_start_daphne_hides_its_server_banner() -> None:
    """daphne adds `Server: daphne` unless started with --no-server-name (daphne/cli.py)."""
    base = Path(settings.BASE_DIR)
    launchers = [
        base / "Procfile",
        base / "Procfile.dev",
        base / "deploy/systemd/enterprise-scanner-web@.service",
        base / "smoke/stack.py",
    ]
    for launcher in launchers:
        text = launcher.read_text()
        assert "daphne" in text and "--no-server-name" in text, launcher


def test_our_security_txt_passes_our_own_scanners_check(client: Client, settings) -> None:
    """The product publishes what its scanner asks prospects for: RFC 9116 Contact and a future
    Expires, as plain text."""
    from django.utils import timezone

    from assessments.scanner.dnsmail.securitytxt import parse_security_txt

    settings.SECURITY_CONTACT = "mailto:psirt@enterprisescanner.test"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    parsed = parse_security_txt(response.content.decode())
    assert parsed.errors == []
    assert parsed.contacts == ["mailto:psirt@enterprisescanner.test"]
    assert parsed.expires is not None and parsed.expires > timezone.now()

"""What each finding says to a reader: title, severity, why it matters, how to fix it.

One entry per check id (the Observatory's result names, and our own ids for the checks beyond it).
Results that are good, or neutral, have no entry and produce no finding.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Guidance:
    """Shared by all results of one test."""

    area: str  # compliance.CONTROLS key
    why: str
    fix: str
    nginx: str = ""
    apache: str = ""
    dns: str = ""  # DNS record(s) to publish, zone-file style

    def recommendation(self) -> str:
        parts = [self.fix]
        if self.dns:
            parts.append(f"DNS:\n    {self.dns}")
        if self.nginx:
            parts.append(f"nginx:\n    {self.nginx}")
        if self.apache:
            parts.append(f"Apache:\n    {self.apache}")
        return "\n\n".join(parts)


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
TLS_VERSIONS = Guidance(
    area="certificate",
    why="TLS 1.0 and 1.1 are deprecated (RFC 8996) and known to be weak; PCI DSS no longer accepts them. Offering them lets an attacker force a weaker connection.",
    fix="Accept only TLS 1.2 and TLS 1.3.",
    nginx="ssl_protocols TLSv1.2 TLSv1.3;",
    apache="SSLProtocol -all +TLSv1.2 +TLSv1.3",
)
TLS13 = Guidance(
    area="certificate",
    why="TLS 1.3 is faster and removes the weak options of older versions; every current browser supports it.",
    fix="Enable TLS 1.3 alongside TLS 1.2.",
    nginx="ssl_protocols TLSv1.2 TLSv1.3;",
    apache="SSLProtocol -all +TLSv1.2 +TLSv1.3",
)
CERTIFICATE = Guidance(
    area="certificate",
    why="Browsers show a full-page warning for an invalid certificate; visitors who click through (or scripts that ignore it) can be intercepted without noticing.",
    fix="Install a certificate from a public CA (e.g. Let's Encrypt) that covers every host name you serve, with the full chain, and renew it automatically.",
    nginx="ssl_certificate     /etc/letsencrypt/live/example.com/fullchain.pem;\n    ssl_certificate_key /etc/letsencrypt/live/example.com/privkey.pem;",
    apache="SSLCertificateFile    /etc/letsencrypt/live/example.com/fullchain.pem\n    SSLCertificateKeyFile /etc/letsencrypt/live/example.com/privkey.pem",
)
KEY_SIZE = Guidance(
    area="certificate",
    why="A short certificate key can be broken with affordable computing power, after which anyone can impersonate the site.",
    fix="Re-issue the certificate with an RSA key of at least 2048 bits (or an ECDSA P-256 key).",
)
CIPHERS = Guidance(
    area="certificate",
    why=(
        "A cipher suite decides how the traffic is encrypted. NULL suites do not encrypt at all, "
        "anonymous ones do not authenticate the server (anyone in the middle can pose as it), EXPORT "
        "and DES keys are broken in hours, RC4 leaks plaintext (RFC 7465 forbids it) and 3DES's 64-bit "
        "blocks leak cookies after enough traffic (SWEET32). An attacker who can pick what the browser "
        "and server agree on (downgrade) gets the weakest one either side still accepts."
    ),
    fix="Offer only ECDHE suites with AES-GCM or ChaCha20-Poly1305 on TLS 1.2, plus TLS 1.3 (Mozilla's 'intermediate' configuration).",
    nginx=(
        "ssl_protocols TLSv1.2 TLSv1.3;\n"
        "    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;\n"
        "    ssl_prefer_server_ciphers off;"
    ),
    apache=(
        "SSLProtocol -all +TLSv1.2 +TLSv1.3\n"
        "    SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305\n"
        "    SSLHonorCipherOrder off"
    ),
)
SSLV3 = Guidance(
    area="certificate",
    why="SSLv3 is broken by POODLE (CVE-2014-3566) and prohibited by RFC 7568; a server that still speaks it can be forced down to it.",
    fix="Disable SSLv3 (and TLS 1.0/1.1); accept only TLS 1.2 and TLS 1.3.",
    nginx="ssl_protocols TLSv1.2 TLSv1.3;",
    apache="SSLProtocol -all +TLSv1.2 +TLSv1.3",
)
FORWARD_SECRECY = Guidance(
    area="certificate",
    why=(
        "Without forward secrecy (ECDHE/DHE key exchange, or TLS 1.3), whoever obtains the server's "
        "private key later — a breach, a subpoena, a discarded disk — can decrypt every recorded "
        "session from the past."
    ),
    fix="Offer ECDHE suites first (or only) and enable TLS 1.3; drop static-RSA key exchange (suites named AES128-SHA, AES256-GCM-SHA384 …).",
    nginx=(
        "ssl_protocols TLSv1.2 TLSv1.3;\n"
        "    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
        "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384;"
    ),
    apache=(
        "SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
        "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384"
    ),
)
KEY_EXCHANGE = Guidance(
    area="certificate",
    why="A small Diffie-Hellman group or elliptic curve lets an attacker with precomputation (Logjam) recover the session keys.",
    fix="Prefer ECDHE with X25519 or P-256; if DHE must stay, use a 2048-bit (or larger) group such as RFC 7919 ffdhe2048.",
    nginx="ssl_ecdh_curve X25519:prime256v1:secp384r1;\n    ssl_dhparam /etc/nginx/ffdhe2048.pem;",
    apache="SSLOpenSSLConfCmd Curves X25519:prime256v1:secp384r1\n    SSLOpenSSLConfCmd DHParameters /etc/apache2/ffdhe2048.pem",
)
CHAIN = Guidance(
    area="certificate",
    why=(
        "The server does not send the intermediate certificate(s) that link its certificate to a "
        "trusted root. Browsers that happen to have it cached, or download it, work; others — "
        "Firefox on a fresh profile, curl, Java, Python, mobile apps, payment and API clients — "
        "fail with a certificate error."
    ),
    fix="Configure the full chain: your certificate followed by the intermediate(s) (Let's Encrypt's fullchain.pem), not the leaf alone.",
    nginx="ssl_certificate /etc/letsencrypt/live/example.com/fullchain.pem;",
    apache="SSLCertificateFile /etc/letsencrypt/live/example.com/fullchain.pem\n    # Apache < 2.4.8: SSLCertificateChainFile /etc/letsencrypt/live/example.com/chain.pem",
)
SIGNATURE = Guidance(
    area="certificate",
    why="Certificates signed with MD5 or SHA-1 can be forged by collision attacks (SHAttered); browsers reject them.",
    fix="Re-issue the certificate (and use an intermediate) signed with SHA-256 or better.",
)
OCSP_STAPLING = Guidance(
    area="certificate",
    why=(
        "Without a stapled OCSP response, each visitor's browser must ask the CA whether the certificate "
        "was revoked (slower, and it tells the CA who visits you) — or, as most browsers do, skip the "
        "check, so a stolen and revoked certificate keeps working. A stapled 'revoked' answer means the "
        "CA has withdrawn the certificate."
    ),
    fix="Turn on OCSP stapling (and replace a revoked certificate at once).",
    nginx="ssl_stapling on;\n    ssl_stapling_verify on;\n    ssl_trusted_certificate /etc/letsencrypt/live/example.com/chain.pem;\n    resolver 1.1.1.1;",
    apache="SSLUseStapling on\n    SSLStaplingCache shmcb:/var/run/ocsp(128000)",
)
AEAD_GUIDANCE = Guidance(
    area="certificate",
    why="Only CBC-mode suites (with their padding-oracle history: BEAST, Lucky Thirteen, POODLE-TLS) are available; every current client supports authenticated encryption (GCM, ChaCha20-Poly1305).",
    fix="Enable TLS 1.3 and ECDHE suites with AES-GCM or ChaCha20-Poly1305, ahead of any CBC suite.",
    nginx="ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;",
    apache="SSLProtocol -all +TLSv1.2 +TLSv1.3\n    SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305",
)
NO_HTTPS = Guidance(
    area="transport",
    why="Without HTTPS, everything your visitors send and receive — logins, form data, the page itself — can be read and changed by anyone on the network path.",
    fix="Serve the site over HTTPS with a certificate from a public CA (Let's Encrypt is free) and redirect HTTP to it.",
    nginx="listen 443 ssl;\n    ssl_certificate /etc/letsencrypt/live/example.com/fullchain.pem;\n    ssl_certificate_key /etc/letsencrypt/live/example.com/privkey.pem;",
    apache="SSLEngine on\n    SSLCertificateFile /etc/letsencrypt/live/example.com/fullchain.pem",
)
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

# --- DNS and e-mail security (scanner/dnsmail) ---------------------------------------------------
SPF = Guidance(
    area="email-authentication",
    why="SPF lists the servers allowed to send mail as your domain. Without a strict, valid record, anyone can send mail that claims to come from you — the start of most phishing and invoice fraud.",
    fix="Publish exactly one SPF record listing your mail senders and ending in -all (or ~all while DMARC reports are reviewed); keep it under 10 DNS look-ups by replacing nested includes with ip4:/ip6: ranges.",
    dns='example.com.  TXT  "v=spf1 include:_spf.google.com ip4:203.0.113.0/24 -all"\n    ; a domain that sends no mail:\n    example.com.  TXT  "v=spf1 -all"',
)
DMARC = Guidance(
    area="email-authentication",
    why="DMARC tells receiving mail servers what to do with mail that fails SPF and DKIM for your domain, and sends you reports. Without p=reject (or quarantine), spoofed mail in your name still reaches inboxes.",
    fix="Publish a DMARC record with aggregate reports (rua), review them, then move the policy from none to quarantine to reject at pct=100.",
    dns='_dmarc.example.com.  TXT  "v=DMARC1; p=reject; sp=reject; rua=mailto:dmarc-reports@example.com"',
)
MTA_STS = Guidance(
    area="email-authentication",
    why="Mail between servers is encrypted only opportunistically: an attacker on the path can strip STARTTLS and read or change mail sent to you. MTA-STS makes sending servers insist on TLS with a valid certificate for your MX hosts.",
    fix="Publish the _mta-sts TXT record and serve the policy at https://mta-sts.<your domain>/.well-known/mta-sts.txt (text/plain, valid certificate, no redirect) listing every MX host; start with mode: testing, then enforce. Change id= whenever the policy changes.",
    dns='_mta-sts.example.com.  TXT  "v=STSv1; id=20260101T000000"',
    nginx='server {\n        server_name mta-sts.example.com;\n        location = /.well-known/mta-sts.txt {\n            default_type text/plain;\n            return 200 "version: STSv1\\nmode: enforce\\nmx: mail.example.com\\nmax_age: 604800\\n";\n        }\n    }',
)
TLS_RPT = Guidance(
    area="email-authentication",
    why="TLS-RPT asks sending mail servers to report failed encrypted deliveries to you, so a broken certificate or a downgrade attack on your inbound mail is noticed.",
    fix="Publish a TLS-RPT record with an address for the daily reports.",
    dns='_smtp._tls.example.com.  TXT  "v=TLSRPTv1; rua=mailto:tls-reports@example.com"',
)
MX = Guidance(
    area="email-authentication",
    why="Without an MX record, mail for the domain is delivered to its web server's address; a domain that receives no mail should say so with a null MX so senders stop at once and spoofers gain nothing.",
    fix="Publish MX records for your mail servers, or a null MX (RFC 7505) if the domain receives no mail.",
    dns="example.com.  MX  10 mail.example.com.\n    ; a domain that receives no mail:\n    example.com.  MX  0 .",
)
CAA = Guidance(
    area="certificate",
    why="A CAA record names the certificate authorities allowed to issue certificates for your domain; without one, any of the hundreds of public CAs may be tricked or compelled into issuing one an attacker can use.",
    fix="Publish CAA records naming only the CAs you use, and an iodef address for reports of refused requests.",
    dns='example.com.  CAA  0 issue "letsencrypt.org"\n    example.com.  CAA  0 issuewild ";"\n    example.com.  CAA  0 iodef "mailto:security@example.com"',
)
DNSSEC = Guidance(
    area="dns-integrity",
    why="DNSSEC signs your DNS records so resolvers can detect forged answers (cache poisoning) that would send your visitors and mail elsewhere. A broken signature is worse than none: validating resolvers then refuse the whole domain.",
    fix="Enable DNSSEC signing at your DNS provider and publish the DS record at your registrar; monitor signature expiry and roll keys with the provider's tooling. If signing is broken, fix it or remove the DS record at the registrar first.",
    dns="; at the registrar (parent zone), from your DNS provider:\n    example.com.  DS  12345 13 2 <digest of the key-signing key>",
)
SECURITY_TXT = Guidance(
    area="vulnerability-disclosure",
    why="security.txt (RFC 9116) tells researchers where to report a vulnerability they found in your site; without it reports go nowhere, or to public channels.",
    fix="Serve /.well-known/security.txt over HTTPS as text/plain with at least one Contact and an Expires date under a year ahead; renew it before it expires (optionally sign it with OpenPGP).",
    nginx='location = /.well-known/security.txt {\n        default_type text/plain;\n        return 200 "Contact: mailto:security@example.com\\nExpires: 2027-01-01T00:00:00Z\\nPreferred-Languages: en\\n";\n    }',
)
DNS_UNCHECKED = Guidance(
    area="dns-integrity",
    why="Some DNS answers could not be obtained (a timeout or a failing name server), so these checks say nothing either way. Slow or failing name servers also delay or lose mail and visits.",
    fix="Check that every authoritative name server of the domain answers for these names, then re-run the assessment.",
)

#: check id → (title, severity, guidance). Check ids are the Observatory result names where it has one.
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
    # Beyond the Observatory: TLS and certificate
    "tls-not-available": ("The site is not available over HTTPS", "critical", NO_HTTPS),
    "tls-certificate-expired": ("TLS certificate has expired", "critical", CERTIFICATE),
    "tls-certificate-not-yet-valid": ("TLS certificate is not valid yet", "high", CERTIFICATE),
    "tls-certificate-hostname-mismatch": (
        "TLS certificate does not cover this host name",
        "critical",
        CERTIFICATE,
    ),
    "tls-certificate-self-signed": ("TLS certificate is self-signed", "high", CERTIFICATE),
    "tls-certificate-untrusted": ("TLS certificate is not trusted", "high", CERTIFICATE),
    "tls-certificate-expiring-soon": ("TLS certificate expires within 30 days", "medium", CERTIFICATE),
    "tls-certificate-weak-key": ("TLS certificate key is too short", "high", KEY_SIZE),
    "tls-legacy-protocols": ("Deprecated TLS 1.0/1.1 accepted", "medium", TLS_VERSIONS),
    "tls-1-3-not-supported": ("TLS 1.3 not supported", "info", TLS13),
    # Beyond the Observatory: TLS depth (SSL Labs territory; caps in tls_rules)
    "tls-sslv3-accepted": ("SSLv3 accepted (POODLE)", "critical", SSLV3),
    "tls-cipher-null": ("Cipher suites without encryption (NULL) accepted", "critical", CIPHERS),
    "tls-cipher-anonymous": (
        "Anonymous cipher suites accepted (no server authentication)",
        "critical",
        CIPHERS,
    ),
    "tls-cipher-export": ("EXPORT-grade cipher suites accepted (FREAK/Logjam)", "critical", CIPHERS),
    "tls-cipher-des": ("Single-DES cipher suites accepted (56-bit keys)", "high", CIPHERS),
    "tls-cipher-rc4": ("RC4 cipher suites accepted", "high", CIPHERS),
    "tls-cipher-3des": ("3DES cipher suites accepted (SWEET32)", "medium", CIPHERS),
    "tls-cipher-cbc-sha1": ("Legacy CBC cipher suites with SHA-1 accepted", "low", CIPHERS),
    "tls-no-aead": ("No authenticated-encryption (AEAD) cipher suite", "medium", AEAD_GUIDANCE),
    "tls-no-forward-secrecy": ("No forward secrecy", "high", FORWARD_SECRECY),
    "tls-forward-secrecy-not-preferred": (
        "Server does not prefer forward-secret suites",
        "medium",
        FORWARD_SECRECY,
    ),
    "tls-non-forward-secret-suites": (
        "Suites without forward secrecy still accepted",
        "low",
        FORWARD_SECRECY,
    ),
    "tls-weak-key-exchange": ("Weak Diffie-Hellman group or curve", "high", KEY_EXCHANGE),
    "tls-chain-incomplete": ("Certificate chain incomplete (missing intermediate)", "medium", CHAIN),
    "tls-certificate-weak-signature": ("Certificate signed with MD5 or SHA-1", "high", SIGNATURE),
    "tls-certificate-revoked": ("TLS certificate has been revoked", "critical", OCSP_STAPLING),
    "tls-ocsp-not-stapled": ("OCSP stapling not enabled", "info", OCSP_STAPLING),
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
    # Beyond the Observatory: DNS and e-mail security (scanner/dnsmail)
    "spf-missing": ("No SPF record: anyone can send mail as the domain", "medium", SPF),
    "spf-multiple-records": ("More than one SPF record (SPF fails)", "medium", SPF),
    "spf-invalid": ("SPF record has errors (SPF fails)", "medium", SPF),
    "spf-too-many-lookups": ("SPF needs more than 10 DNS look-ups (SPF fails)", "medium", SPF),
    "spf-allows-any-sender": ("SPF allows every server to send (+all)", "high", SPF),
    "spf-neutral-all": ("SPF does not reject other senders (?all)", "medium", SPF),
    "dmarc-missing": ("No DMARC policy: spoofed mail is delivered", "high", DMARC),
    "dmarc-invalid": ("DMARC record cannot be used", "medium", DMARC),
    "dmarc-policy-none": ("DMARC policy is none (monitoring only)", "medium", DMARC),
    "dmarc-policy-quarantine": ("DMARC policy is quarantine, not reject", "info", DMARC),
    "dmarc-partial-pct": ("DMARC policy applies to only part of the mail (pct < 100)", "low", DMARC),
    "dmarc-subdomain-policy-none": ("DMARC leaves subdomains unprotected (sp=none)", "low", DMARC),
    "dmarc-no-reporting": ("DMARC sends no reports (no rua)", "low", DMARC),
    "mta-sts-missing": ("No MTA-STS: inbound mail encryption can be stripped", "low", MTA_STS),
    "mta-sts-invalid": ("MTA-STS record is invalid", "medium", MTA_STS),
    "mta-sts-policy-invalid": ("MTA-STS policy file missing or invalid", "medium", MTA_STS),
    "mta-sts-testing": ("MTA-STS in testing mode only", "low", MTA_STS),
    "mta-sts-mode-none": ("MTA-STS policy switched off (mode none)", "low", MTA_STS),
    "mta-sts-mx-mismatch": ("MTA-STS policy does not cover every MX host", "medium", MTA_STS),
    "tls-rpt-missing": ("No TLS-RPT: failed encrypted mail deliveries go unreported", "info", TLS_RPT),
    "tls-rpt-invalid": ("TLS-RPT record is invalid", "low", TLS_RPT),
    "mx-missing": ("No MX record (and no null MX)", "info", MX),
    "caa-missing": ("No CAA record: any certificate authority may issue", "low", CAA),
    "dnssec-not-enabled": ("DNSSEC not enabled", "low", DNSSEC),
    "dnssec-chain-incomplete": ("DNSSEC keys without a DS record at the parent", "low", DNSSEC),
    "dnssec-invalid": ("DNSSEC is broken: validating resolvers reject the domain", "high", DNSSEC),
    "security-txt-missing": ("No security.txt for vulnerability reports", "low", SECURITY_TXT),
    "security-txt-invalid": ("security.txt lacks Contact or Expires", "low", SECURITY_TXT),
    "security-txt-expired": ("security.txt has expired", "low", SECURITY_TXT),
    "dns-checks-incomplete": ("Some DNS and e-mail checks could not be completed", "info", DNS_UNCHECKED),
}

"""Findings of HTTPS availability, the certificate and the TLS configuration (beyond the
Observatory: SSL Labs territory, capped in tls_rules).
"""

from __future__ import annotations

from .guidance import Guidance

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

#: check id → (title, severity, guidance), in the order the catalogue lists them.
FINDINGS: dict[str, tuple[str, str, Guidance]] = {
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
}

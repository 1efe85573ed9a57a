"""Findings of the DNS and e-mail security checks (scanner/dnsmail): SPF, DMARC, MTA-STS, TLS-RPT,
MX, CAA, DNSSEC, security.txt, and the "could not check" finding.
"""

from __future__ import annotations

from .guidance import Guidance

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

#: check id → (title, severity, guidance), in the order the catalogue lists them.
FINDINGS: dict[str, tuple[str, str, Guidance]] = {
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

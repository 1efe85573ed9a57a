"""Which control in each framework a finding's area speaks to. One table, with its sources.

Sources (the editions named in the report):
- OWASP ASVS 5.0.0 (May 2025), github.com/OWASP/ASVS/tree/v5.0.0 — V3.3 Cookie Setup, V3.4 Browser
  Security Mechanism Headers, V3.5 Browser Origin Separation, V3.6 External Resource Integrity,
  V12.1 General TLS Security Guidance, V12.2 HTTPS Communication with External Facing Services,
  V13.4 Unintended Information Leakage.
- PCI DSS v4.0.1 (June 2024), PCI Security Standards Council — 2.2.6 system security parameters,
  4.2.1 strong cryptography and valid certificates for data in transit, 6.2.4 software attacks
  prevented, 6.4.3 payment-page scripts authorised with integrity assured, 11.6.1 unauthorised
  changes to HTTP headers and page content detected.
- NIST Cybersecurity Framework 2.0 (CSWP 29, February 2024) — PR.DS-02 data-in-transit
  confidentiality, PR.PS-01 configuration management, PR.PS-06 secure software development,
  ID.RA-01 vulnerabilities identified.
- ISO/IEC 27001:2022 Annex A — 8.9 configuration management, 8.20 networks security, 8.24 use of
  cryptography, 8.26 application security requirements, 8.28 secure coding, 8.12 data leakage
  prevention, 5.14 information transfer.
- AICPA SOC 2 Trust Services Criteria (2017, revised points of focus 2022) — CC6.1 logical access,
  CC6.6 protection against threats from outside the system boundary, CC6.7 restricting the
  transmission of information, CC7.1 detection of configuration weaknesses.

DNS and e-mail security (scanner/dnsmail) adds: PCI DSS v4.0.1 5.4.1 (mechanisms protect
personnel against phishing; its guidance names SPF, DKIM and DMARC), NIST CSF 2.0 ID.RA-08
(processes for receiving vulnerability disclosures) and PR.IR-01 (networks protected from
unauthorised access and use), ISO/IEC 27001:2022 A.8.21 (security of network services), A.8.8
(management of technical vulnerabilities) and A.6.8 (information security event
reporting), SOC 2 CC2.3 (communication with external parties). OWASP ASVS 5.0 covers the web
application, not mail or DNS records: those areas have no ASVS reference.

These are mappings to help an auditor find the relevant control; a passing scan is not evidence of
compliance on its own.
"""

from __future__ import annotations

FRAMEWORKS = ("OWASP ASVS 5.0", "PCI DSS 4.0.1", "NIST CSF 2.0", "ISO 27001:2022", "SOC 2")

#: area → framework → control references
CONTROLS: dict[str, dict[str, list[str]]] = {
    "transport": {
        "OWASP ASVS 5.0": ["V3.4.1", "V12.2.1"],
        "PCI DSS 4.0.1": ["4.2.1"],
        "NIST CSF 2.0": ["PR.DS-02"],
        "ISO 27001:2022": ["A.8.24", "A.5.14"],
        "SOC 2": ["CC6.7"],
    },
    "certificate": {
        "OWASP ASVS 5.0": ["V12.2.2", "V12.1.1"],
        "PCI DSS 4.0.1": ["4.2.1"],
        "NIST CSF 2.0": ["PR.DS-02"],
        "ISO 27001:2022": ["A.8.24"],
        "SOC 2": ["CC6.7"],
    },
    "content-injection": {
        "OWASP ASVS 5.0": ["V3.4.3"],
        "PCI DSS 4.0.1": ["6.2.4", "6.4.3", "11.6.1"],
        "NIST CSF 2.0": ["PR.PS-06"],
        "ISO 27001:2022": ["A.8.26", "A.8.28"],
        "SOC 2": ["CC6.6"],
    },
    "script-integrity": {
        "OWASP ASVS 5.0": ["V3.6.1"],
        "PCI DSS 4.0.1": ["6.4.3", "11.6.1"],
        "NIST CSF 2.0": ["PR.PS-06"],
        "ISO 27001:2022": ["A.8.26"],
        "SOC 2": ["CC6.6"],
    },
    "framing": {
        "OWASP ASVS 5.0": ["V3.4.6"],
        "PCI DSS 4.0.1": ["6.2.4"],
        "NIST CSF 2.0": ["PR.PS-06"],
        "ISO 27001:2022": ["A.8.26"],
        "SOC 2": ["CC6.6"],
    },
    "cookies": {
        "OWASP ASVS 5.0": ["V3.3.1", "V3.3.2", "V3.3.4"],
        "PCI DSS 4.0.1": ["6.2.4"],
        "NIST CSF 2.0": ["PR.DS-02", "PR.PS-06"],
        "ISO 27001:2022": ["A.8.26", "A.8.28"],
        "SOC 2": ["CC6.1"],
    },
    "cross-origin": {
        "OWASP ASVS 5.0": ["V3.4.2", "V3.5"],
        "PCI DSS 4.0.1": ["6.2.4"],
        "NIST CSF 2.0": ["PR.PS-06"],
        "ISO 27001:2022": ["A.8.26"],
        "SOC 2": ["CC6.1", "CC6.6"],
    },
    "browser-hardening": {
        "OWASP ASVS 5.0": ["V3.4.4", "V3.4.5", "V3.4.8"],
        "PCI DSS 4.0.1": ["2.2.6"],
        "NIST CSF 2.0": ["PR.PS-01"],
        "ISO 27001:2022": ["A.8.9"],
        "SOC 2": ["CC7.1"],
    },
    "info-disclosure": {
        "OWASP ASVS 5.0": ["V13.4.6"],
        "PCI DSS 4.0.1": ["2.2.6"],
        "NIST CSF 2.0": ["PR.PS-01", "ID.RA-01"],
        "ISO 27001:2022": ["A.8.9", "A.8.12"],
        "SOC 2": ["CC7.1"],
    },
    # DNS and e-mail security (scanner/dnsmail)
    "email-authentication": {
        "PCI DSS 4.0.1": ["5.4.1"],
        "NIST CSF 2.0": ["PR.DS-02", "PR.PS-01"],
        "ISO 27001:2022": ["A.5.14", "A.8.21"],
        "SOC 2": ["CC6.6", "CC6.7"],
    },
    "dns-integrity": {
        "NIST CSF 2.0": ["PR.IR-01", "PR.PS-01"],
        "ISO 27001:2022": ["A.8.20", "A.8.21"],
        "SOC 2": ["CC6.6"],
    },
    "vulnerability-disclosure": {
        "NIST CSF 2.0": ["ID.RA-08"],
        "ISO 27001:2022": ["A.8.8", "A.6.8"],
        "SOC 2": ["CC2.3"],
    },
}


def references(area: str) -> list[str]:
    """Flat, readable references for one area, e.g. ['OWASP ASVS 5.0 V3.4.1', 'PCI DSS 4.0.1 4.2.1']."""
    return [
        f"{framework} {control}" for framework, controls in CONTROLS[area].items() for control in controls
    ]

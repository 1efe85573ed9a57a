"""The "DNS and e-mail security" part of an assessment, for the PDF and the admin.

Both read the facts the scan stored (`results["dns"]`, see scanner/dnsmail); the findings
themselves appear with all the others. `summary_rows` is the one wording of those facts.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

#: Finding check ids that belong to this section (the catalogue's DNS and e-mail entries).
PREFIXES = ("spf-", "dmarc-", "mta-sts-", "tls-rpt-", "mx-", "caa-", "dnssec-", "security-txt-", "dns-")


def is_dns_finding(check_id: str) -> bool:
    return check_id.startswith(PREFIXES)


def summary_rows(dns: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(check, what was found) for each DNS and e-mail check, in reading order."""
    if not dns:
        return []
    rows: list[tuple[str, str]] = []
    if dns.get("skipped"):
        rows.append(("Domain", dns["skipped"]))
    else:
        rows.append(
            ("Domain", f"{dns['domain']} (resolver: {dns['resolvers']}; {dns.get('duration_ms', 0)} ms)")
        )
        rows += [
            ("MX", _mx(dns.get("mx"))),
            ("SPF", _spf(dns.get("spf"))),
            ("DMARC", _dmarc(dns.get("dmarc"))),
            ("MTA-STS", _mta_sts(dns.get("mta_sts"))),
            ("TLS-RPT", _records(dns.get("tls_rpt"))),
            ("CAA", _caa(dns.get("caa"))),
            ("DNSSEC", _dnssec(dns.get("dnssec"))),
        ]
    rows.append(("security.txt", _security_txt(dns.get("security_txt"))))
    for area, why in (dns.get("not_checked") or {}).items():
        rows.append((f"Not checked: {area}", why))
    return [(area, text) for area, text in rows if text]


def _mx(mx: dict | None) -> str:
    if mx is None:
        return ""
    if mx["null_mx"]:
        return "null MX: the domain receives no mail"
    return ", ".join(mx["hosts"]) or "none"


def _spf(spf: dict | None) -> str:
    if spf is None:
        return ""
    if not spf["records"]:
        return "none"
    text = " | ".join(spf["records"])
    return f"{text} ({spf['lookups']} DNS look-ups)" if "lookups" in spf else text


def _dmarc(dmarc: dict | None) -> str:
    if dmarc is None:
        return ""
    if "policy" not in dmarc:
        return " | ".join(dmarc["records"]) or "none"
    parts = [f"p={dmarc['policy'] or '?'}", f"pct={dmarc['pct']}"]
    if dmarc["subdomain_policy"]:
        parts.append(f"sp={dmarc['subdomain_policy']}")
    parts.append(f"rua={', '.join(dmarc['rua'])}" if dmarc["rua"] else "no rua")
    return ", ".join(parts)


def _mta_sts(facts: dict | None) -> str:
    if facts is None:
        return ""
    if not facts["records"]:
        return "none"
    if "policy_error" in facts:
        return f"record present; policy: {facts['policy_error']}"
    return f"mode {facts.get('mode') or '?'}, mx {', '.join(facts.get('mx', [])) or '–'}, max_age {facts.get('max_age')}"


def _records(facts: dict | None) -> str:
    if facts is None:
        return ""
    return " | ".join(facts["records"]) or "none"


def _caa(caa: dict | None) -> str:
    if caa is None:
        return ""
    if not caa["found_at"]:
        return "none"
    return f"at {caa['found_at']}: " + "; ".join(caa["records"])


def _dnssec(dnssec: dict | None) -> str:
    if dnssec is None:
        return ""
    text = {
        "unsigned": "not signed",
        "signed-no-ds": "signed, but no DS at the parent (not validated)",
        "validated": "signed and validated",
        "bogus": "signed, but validation fails",
    }[dnssec["state"]]
    if dnssec["problems"]:
        text += f" ({'; '.join(dnssec['problems'])})"
    ad = "set" if dnssec["resolver_authenticated"] else "not set"
    return f"{text}. Method: {dnssec['method']}; resolver AD flag {ad}."


def _security_txt(facts: dict | None) -> str:
    if facts is None:
        return ""
    if not facts.get("found"):
        return "not found"
    parts = [f"Contact {', '.join(facts['contacts']) or '–'}", f"Expires {facts['expires'] or '–'}"]
    if facts["signed"]:
        parts.append("OpenPGP-signed")
    return "; ".join(parts)


def pdf_section(
    results: dict[str, Any], findings: list, styles: dict[str, ParagraphStyle], table
) -> list[object]:
    """Flowables for the report: what was found per check, and how many findings it made."""
    rows = summary_rows(results.get("dns"))
    if not rows:
        return []
    own = [f for f in findings if is_dns_finding(f.check_id)]
    intro = (
        "Beyond the website itself: how the domain protects its e-mail (SPF, DMARC, MTA-STS, TLS-RPT), "
        "who may issue its certificates (CAA), whether its DNS is signed (DNSSEC), and whether researchers "
        f"can report vulnerabilities (security.txt). {len(own)} finding(s) below come from these checks; "
        "they count in the risk score, not in the header grade."
    )
    body: list[list[object]] = [["Check", "What we found"]]
    body += [[Paragraph(escape(a), styles["small"]), Paragraph(escape(t), styles["small"])] for a, t in rows]
    return [
        Paragraph("DNS and e-mail security", styles["h1"]),
        Paragraph(escape(intro), styles["body"]),
        Spacer(1, 3 * mm),
        table(body, [40 * mm, 140 * mm]),
        Spacer(1, 6 * mm),
    ]

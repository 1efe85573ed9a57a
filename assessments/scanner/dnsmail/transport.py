"""The mail transport family: MTA-STS (record and policy file, RFC 8461) and TLS-RPT (RFC 8460).
Both matter only for a domain that receives mail; the MTA-STS policy is fetched over HTTPS from
`mta-sts.<domain>` through the guarded retriever.
"""

from __future__ import annotations

from typing import Any

from . import policies
from .domain_report import DomainReport, available
from .fetch import FetchFailed, fetch_https
from .resolver import DnsUnavailable, Lookup

MTA_STS_PATH = "/.well-known/mta-sts.txt"


def mta_sts_facts(lookup: Lookup, domain: str, https_port: int) -> dict[str, Any]:
    """The MTA-STS record of `domain` and, when there is one, its fetched policy (runs in the pool)."""
    records = policies.records_with_version(lookup.txt(f"_mta-sts.{domain}"), "STSv1")
    facts: dict[str, Any] = {"records": records}
    if not records:
        return facts
    policy_host = f"mta-sts.{domain}"
    try:
        fetched = fetch_https(policy_host, https_port, MTA_STS_PATH)
    except FetchFailed as exc:
        if not exc.missing:
            raise
        facts["policy_error"] = str(exc)
        return facts
    facts["policy_url"] = fetched.url
    problems = []
    if fetched.status != 200:
        problems.append(f"HTTP {fetched.status}")
    if fetched.redirects:
        problems.append("served through a redirect (RFC 8461 §3.3: redirects must not be followed)")
    if not fetched.verified:
        problems.append("the certificate of the policy host is not valid")
    if fetched.content_type != "text/plain":
        problems.append(f"Content-Type {fetched.content_type or '(none)'}, not text/plain")
    if problems:
        facts["policy_error"] = f"{fetched.url}: " + "; ".join(problems)
        return facts
    policy = policies.parse_mta_sts_policy(fetched.body[:65536])
    facts |= {"mode": policy.mode, "max_age": policy.max_age, "mx": policy.mx, "policy_errors": policy.errors}
    return facts


def judge_mta_sts(report: DomainReport, facts: Any, receives_mail: bool | None, mx_answer: Any) -> None:
    if not available(report, "MTA-STS", facts):
        return
    report.facts["mta_sts"] = facts
    name = f"_mta-sts.{report.domain}"
    records = facts["records"]
    if not records:
        if receives_mail:
            report.hits.append(("mta-sts-missing", f"No TXT record starting v=STSv1 at {name}"))
        return
    if len(records) > 1:
        report.hits.append(
            ("mta-sts-invalid", f"{len(records)} MTA-STS records at {name}\n" + "\n".join(records))
        )
        return
    record = policies.parse_mta_sts_record(records[0])
    if record.errors:
        report.hits.append(("mta-sts-invalid", f"{name} TXT {record.text}\n" + "\n".join(record.errors)))
    if "policy_error" in facts:
        report.hits.append(("mta-sts-policy-invalid", facts["policy_error"]))
        return
    if facts["policy_errors"]:
        report.hits.append(
            ("mta-sts-policy-invalid", f"{facts['policy_url']}\n" + "\n".join(facts["policy_errors"]))
        )
        return
    if facts["mode"] == "testing":
        report.hits.append(
            (
                "mta-sts-testing",
                f"{facts['policy_url']}: mode: testing (failures are reported, mail is still delivered)",
            )
        )
    elif facts["mode"] == "none":
        report.hits.append(
            ("mta-sts-mode-none", f"{facts['policy_url']}: mode: none (the policy is switched off)")
        )
    if facts["mode"] in ("enforce", "testing") and not isinstance(mx_answer, DnsUnavailable):
        hosts = [r.exchange.to_text().rstrip(".") for r in mx_answer.records if r.exchange.to_text() != "."]
        uncovered = [h for h in hosts if not policies.mx_matches(h, facts["mx"])]
        if uncovered:
            report.hits.append(
                (
                    "mta-sts-mx-mismatch",
                    f"MX hosts not allowed by the policy: {', '.join(uncovered)}\npolicy mx: {', '.join(facts['mx'])}",
                )
            )


def judge_tls_rpt(report: DomainReport, txts: Any, receives_mail: bool | None) -> None:
    if not available(report, "TLS-RPT", txts):
        return
    name = f"_smtp._tls.{report.domain}"
    records = policies.records_with_version(txts, "TLSRPTv1")
    report.facts["tls_rpt"] = {"records": records}
    if not records:
        if receives_mail:
            report.hits.append(("tls-rpt-missing", f"No TXT record starting v=TLSRPTv1 at {name}"))
        return
    if len(records) > 1:
        report.hits.append(
            ("tls-rpt-invalid", f"{len(records)} TLS-RPT records at {name}\n" + "\n".join(records))
        )
        return
    record = policies.parse_tls_rpt(records[0])
    report.facts["tls_rpt"]["rua"] = record.rua
    if record.errors:
        report.hits.append(("tls-rpt-invalid", f"{name} TXT {record.text}\n" + "\n".join(record.errors)))

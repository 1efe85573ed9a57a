"""The e-mail family: MX, SPF and DMARC (gathered in the pool, judged afterwards). Whether the
domain receives mail (its MX) decides which transport findings (MTA-STS, TLS-RPT) apply, so
`judge_mail` also hands over to the transport judges.
"""

from __future__ import annotations

from typing import Any

from . import policies, spf
from .domain_report import DomainReport, available
from .resolver import Lookup
from .transport import judge_mta_sts, judge_tls_rpt


def spf_facts(lookup: Lookup, domain: str) -> dict[str, Any]:
    """The SPF record(s) of `domain` and, for a single one, its evaluation (runs in the pool)."""
    records = spf.spf_records(lookup.txt(domain))
    facts: dict[str, Any] = {"records": records}
    if len(records) == 1:
        record = spf.parse_spf(records[0])
        evaluation = spf.evaluate_spf(domain, record, lookup.txt)
        facts |= {
            "all": record.all_qualifier,
            "redirect": record.redirect,
            "lookups": evaluation.lookups,
            "trail": evaluation.trail,
            "errors": record.errors + evaluation.errors,
        }
    return facts


def judge_mail(report: DomainReport, results: dict[str, Any]) -> None:
    """MX, then SPF, DMARC, MTA-STS and TLS-RPT, whose findings depend on whether mail is received."""
    domain = report.domain
    mx_answer = results["mx"]
    receives_mail: bool | None = None  # None: unknown
    if available(report, "MX", mx_answer):
        mx = sorted((r.preference, r.exchange.to_text()) for r in mx_answer.records)
        null_mx = len(mx) == 1 and mx[0][1] == "."
        receives_mail = bool(mx) and not null_mx
        report.facts["mx"] = {"hosts": [f"{p} {h}" for p, h in mx], "null_mx": null_mx}
        if not mx:
            report.hits.append(
                ("mx-missing", f"{domain} has no MX record: mail to it falls back to its address records")
            )
    _judge_spf(report, results["spf"], receives_mail)
    _judge_dmarc(report, results["dmarc"])
    judge_mta_sts(report, results["mta_sts"], receives_mail, mx_answer)
    judge_tls_rpt(report, results["tls_rpt"], receives_mail)


def _judge_spf(report: DomainReport, facts: Any, receives_mail: bool | None) -> None:
    if not available(report, "SPF", facts):
        return
    report.facts["spf"] = facts
    domain = report.domain
    records = facts["records"]
    if not records:
        advice = "" if receives_mail else " (it sends no mail? then publish v=spf1 -all)"
        report.hits.append(("spf-missing", f"No TXT record starting v=spf1 at {domain}{advice}"))
        return
    if len(records) > 1:
        report.hits.append(("spf-multiple-records", "\n".join(f"{domain} TXT {r}" for r in records)))
        return
    shown = f"{domain} TXT {records[0]}"
    if facts["errors"]:
        report.hits.append(("spf-invalid", shown + "\n" + "\n".join(facts["errors"][:20])))
    if facts["lookups"] > spf.MAX_LOOKUPS:
        trail = "\n".join(facts["trail"][:20])
        report.hits.append(
            (
                "spf-too-many-lookups",
                f"{shown}\n{facts['lookups']} DNS look-ups (at most {spf.MAX_LOOKUPS}):\n{trail}",
            )
        )
    qualifier = facts["all"]
    if qualifier == "+":
        report.hits.append(
            ("spf-allows-any-sender", f"{shown}\n+all: every server on the internet may send as {domain}")
        )
    elif qualifier == "?" or (qualifier is None and not facts["redirect"]):
        reason = "?all" if qualifier == "?" else "no all mechanism (the default result is neutral)"
        report.hits.append(
            ("spf-neutral-all", f"{shown}\n{reason}: mail from other servers is not marked as failing")
        )


def _judge_dmarc(report: DomainReport, txts: Any) -> None:
    if not available(report, "DMARC", txts):
        return
    name = f"_dmarc.{report.domain}"
    records = policies.records_with_version(txts, "DMARC1")
    report.facts["dmarc"] = {"records": records}
    if not records:
        report.hits.append(("dmarc-missing", f"No TXT record starting v=DMARC1 at {name}"))
        return
    if len(records) > 1:
        report.hits.append(
            (
                "dmarc-invalid",
                f"{len(records)} DMARC records at {name}: receivers ignore them all\n" + "\n".join(records),
            )
        )
        return
    record = policies.parse_dmarc(records[0])
    report.facts["dmarc"] |= {
        "policy": record.policy,
        "subdomain_policy": record.subdomain_policy,
        "pct": record.pct,
        "rua": record.rua,
        "errors": record.errors,
    }
    shown = f"{name} TXT {record.text}"
    if record.errors:
        report.hits.append(("dmarc-invalid", shown + "\n" + "\n".join(record.errors)))
    if record.policy == "none":
        report.hits.append(("dmarc-policy-none", f"{shown}\np=none: spoofed mail is delivered as usual"))
    elif record.policy == "quarantine":
        report.hits.append(
            ("dmarc-policy-quarantine", f"{shown}\np=quarantine: spoofed mail goes to spam, not refused")
        )
    if record.policy in ("quarantine", "reject") and record.pct < 100:
        report.hits.append(
            (
                "dmarc-partial-pct",
                f"{shown}\npct={record.pct}: the policy applies to {record.pct} % of failing mail",
            )
        )
    if record.policy in ("quarantine", "reject") and record.subdomain_policy == "none":
        report.hits.append(
            ("dmarc-subdomain-policy-none", f"{shown}\nsp=none: mail from any subdomain may be spoofed")
        )
    if record.policy and not record.rua:
        report.hits.append(("dmarc-no-reporting", f"{shown}\nno rua=: nobody receives the aggregate reports"))

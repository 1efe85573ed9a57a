"""The DNS zone family: CAA (who may issue certificates, RFC 8659) and DNSSEC (is the zone signed
and chained to its parent). Both are properties of the zone, not of mail or the web site.
"""

from __future__ import annotations

from typing import Any

from .dnssec import inspect_dnssec
from .domain_report import DomainReport, available


def caa_names(host: str) -> list[str]:
    """Where a CA looks for CAA (RFC 8659 §3): the host, then each parent, up to the TLD."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def judge_caa(report: DomainReport, results: dict[str, Any], host: str) -> None:
    """The CAA RRset a CA would use for `host` (the closest one up the tree), or a finding."""
    for name in caa_names(host):
        answer = results[f"caa:{name}"]
        if not available(report, f"CAA {name}", answer):
            return  # a CA would stop here too: the answer below is unknown
        records = answer.records
        if records:
            values = sorted(  # an RRset has no order: sort, so reports compare across scans
                (r.flags, r.tag.decode("ascii", "replace").lower(), r.value.decode("utf-8", "replace"))
                for r in records
            )
            report.facts["caa"] = {
                "found_at": name,
                "issue": [v for _, tag, v in values if tag == "issue"],
                "issuewild": [v for _, tag, v in values if tag == "issuewild"],
                "iodef": [v for _, tag, v in values if tag == "iodef"],
                "records": [f'{f} {t} "{v}"' for f, t, v in values],
            }
            return
    report.facts["caa"] = {"found_at": None}
    looked = ", ".join(caa_names(host))
    report.hits.append(
        ("caa-missing", f"No CAA record at {looked}: any certificate authority may issue for {host}")
    )


def judge_dnssec(report: DomainReport, results: dict[str, Any], domain: str) -> None:
    """The DNSSEC state of `domain` from its DS, DNSKEY and SOA answers."""
    answers = [results[f"dnssec_{kind}"] for kind in ("ds", "dnskey", "soa")]
    if not all(
        available(report, f"DNSSEC ({kind})", a)
        for kind, a in zip(("DS", "DNSKEY", "SOA"), answers, strict=True)
    ):
        return
    facts = inspect_dnssec(domain, ds_answer=answers[0], dnskey_answer=answers[1], soa_answer=answers[2])
    report.facts["dnssec"] = facts.to_json()
    if facts.state == "unsigned":
        report.hits.append(("dnssec-not-enabled", f"{domain} has no DNSKEY and its parent no DS record"))
    elif facts.state == "signed-no-ds":
        report.hits.append(("dnssec-chain-incomplete", f"{domain}: " + "; ".join(facts.problems)))
    elif facts.state == "bogus":
        ds = "\n".join(f"DS {d}" for d in facts.ds)
        report.hits.append(
            ("dnssec-invalid", f"{domain}: " + "; ".join(facts.problems) + (f"\n{ds}" if ds else ""))
        )

"""Gather the DNS and e-mail facts of a target, every lookup at once, and judge them.

`inspect_domain` is the scan's entry point (run beside the HTTP retrieval): it never raises for
a DNS or network failure; what could not be checked is listed in `DomainReport.unchecked` and
becomes one "could not check" finding.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlunsplit

import httpx

from leads.domains import registrable_domain

from ..guard import TargetRefused, canonical_host
from ..retriever import Retriever
from . import policies, spf
from .dnssec import inspect_dnssec
from .resolver import DnsUnavailable, Lookup
from .securitytxt import parse_security_txt

Hit = tuple[str, str]
#: Lookups in flight at once for one scan (each waits on the network, not the CPU).
MAX_PARALLEL = 12
SECURITY_TXT_PATH = "/.well-known/security.txt"
MTA_STS_PATH = "/.well-known/mta-sts.txt"


@dataclass
class DomainReport:
    host: str
    domain: str
    resolvers: str
    facts: dict[str, Any] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    unchecked: dict[str, str] = field(default_factory=dict)
    duration_ms: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "domain": self.domain,
            "resolvers": self.resolvers,
            **self.facts,
            "not_checked": self.unchecked,
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True)
class Fetched:
    """One HTTPS document fetched through the SSRF-guarded retriever."""

    url: str
    status: int
    content_type: str
    body: str
    redirects: int
    verified: bool


class FetchFailed(Exception):
    """The document could not be fetched: `missing` when the host plainly has no such service
    (does not resolve, refuses connections), otherwise a transient failure (timeout)."""

    def __init__(self, message: str, *, missing: bool) -> None:
        super().__init__(message)
        self.missing = missing


def fetch_https(host: str, port: int, path: str) -> Fetched:
    netloc = host if port == 443 else f"{host}:{port}"
    url = urlunsplit(("https", netloc, path, "", ""))
    try:
        with Retriever() as retriever:
            response, hops = retriever.fetch_chain(url)
    except TargetRefused as exc:
        raise FetchFailed(f"{url}: {exc}", missing=True) from exc
    except (httpx.ConnectError, httpx.TooManyRedirects) as exc:
        raise FetchFailed(f"{url}: {type(exc).__name__}: {exc}"[:300], missing=True) from exc
    except httpx.HTTPError as exc:
        raise FetchFailed(f"{url}: {type(exc).__name__}: {exc}"[:300], missing=False) from exc
    return Fetched(
        url=response.url,
        status=response.status,
        content_type=response.mime_type,
        body=response.body,
        redirects=len(hops) - 1,
        verified=response.verified,
    )


def inspect_domain(
    *, host: str, https_port: int, now: datetime, lookup: Lookup | None = None
) -> DomainReport:
    """The DNS and e-mail security facts of `host`'s registrable domain and its security.txt."""
    started = time.monotonic()
    lookup = lookup or Lookup.from_settings()
    canonical = canonical_host(host)
    domain = "" if canonical.address is not None else registrable_domain(canonical.name)
    report = DomainReport(host=canonical.name, domain=domain, resolvers=lookup.describe())
    with ThreadPoolExecutor(max_workers=MAX_PARALLEL, thread_name_prefix="dnsmail") as pool:
        jobs: dict[str, Future] = {
            "security_txt": pool.submit(fetch_https, canonical.name, https_port, SECURITY_TXT_PATH)
        }
        if domain:
            jobs |= {
                "mx": pool.submit(lookup.ask, domain, "MX"),
                "spf": pool.submit(_spf_facts, lookup, domain),
                "dmarc": pool.submit(lookup.txt, f"_dmarc.{domain}"),
                "mta_sts": pool.submit(_mta_sts_facts, lookup, domain, https_port),
                "tls_rpt": pool.submit(lookup.txt, f"_smtp._tls.{domain}"),
                "dnssec_ds": pool.submit(lookup.ask, domain, "DS", dnssec=True),
                "dnssec_dnskey": pool.submit(lookup.ask, domain, "DNSKEY", dnssec=True),
                "dnssec_soa": pool.submit(lookup.ask, domain, "SOA", dnssec=True),
            }
            for name in caa_names(canonical.name):
                jobs[f"caa:{name}"] = pool.submit(lookup.ask, name, "CAA")
        results = {key: _outcome(job) for key, job in jobs.items()}
    _judge_security_txt(report, results["security_txt"], now=now)
    if domain:
        _judge_mail(report, results)
        _judge_caa(report, results, canonical.name)
        _judge_dnssec(report, results, domain)
    else:
        report.facts["skipped"] = f"{canonical.name} has no registrable domain: DNS and e-mail checks skipped"
    if report.unchecked:
        report.hits.append(
            ("dns-checks-incomplete", "\n".join(f"{area}: {why}" for area, why in report.unchecked.items()))
        )
    report.duration_ms = round((time.monotonic() - started) * 1000)
    return report


def _outcome(job: Future) -> Any:
    """The job's value, or the exception it raised (DnsUnavailable, FetchFailed) as a value."""
    try:
        return job.result()
    except (DnsUnavailable, FetchFailed) as exc:
        return exc


def caa_names(host: str) -> list[str]:
    """Where a CA looks for CAA (RFC 8659 §3): the host, then each parent, up to the TLD."""
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


# --- Gathering (run in the pool) ----------------------------------------------------------------


def _spf_facts(lookup: Lookup, domain: str) -> dict[str, Any]:
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


def _mta_sts_facts(lookup: Lookup, domain: str, https_port: int) -> dict[str, Any]:
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


# --- Judging (pure) -----------------------------------------------------------------------------


def _available(report: DomainReport, area: str, value: Any) -> bool:
    if isinstance(value, DnsUnavailable | FetchFailed):
        report.unchecked[area] = str(value)
        return False
    return True


def _judge_mail(report: DomainReport, results: dict[str, Any]) -> None:
    domain = report.domain
    mx_answer = results["mx"]
    receives_mail: bool | None = None  # None: unknown
    if _available(report, "MX", mx_answer):
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
    _judge_mta_sts(report, results["mta_sts"], receives_mail, mx_answer)
    _judge_tls_rpt(report, results["tls_rpt"], receives_mail)


def _judge_spf(report: DomainReport, facts: Any, receives_mail: bool | None) -> None:
    if not _available(report, "SPF", facts):
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
    if not _available(report, "DMARC", txts):
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


def _judge_mta_sts(report: DomainReport, facts: Any, receives_mail: bool | None, mx_answer: Any) -> None:
    if not _available(report, "MTA-STS", facts):
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


def _judge_tls_rpt(report: DomainReport, txts: Any, receives_mail: bool | None) -> None:
    if not _available(report, "TLS-RPT", txts):
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


def _judge_caa(report: DomainReport, results: dict[str, Any], host: str) -> None:
    for name in caa_names(host):
        answer = results[f"caa:{name}"]
        if not _available(report, f"CAA {name}", answer):
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


def _judge_dnssec(report: DomainReport, results: dict[str, Any], domain: str) -> None:
    answers = [results[f"dnssec_{kind}"] for kind in ("ds", "dnskey", "soa")]
    if not all(
        _available(report, f"DNSSEC ({kind})", a)
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


def _judge_security_txt(report: DomainReport, fetched: Any, *, now: datetime) -> None:
    url_host = report.host
    if isinstance(fetched, FetchFailed):
        if not fetched.missing:
            report.unchecked["security.txt"] = str(fetched)
            return
        report.facts["security_txt"] = {"found": False}
        report.hits.append(("security-txt-missing", f"Not served over HTTPS: {fetched}"))
        return
    if fetched.status != 200 or fetched.content_type != "text/plain" or not fetched.verified:
        why = (
            f"HTTP {fetched.status}"
            if fetched.status != 200
            else f"Content-Type {fetched.content_type or '(none)'}, not text/plain"
            if fetched.content_type != "text/plain"
            else "served with an invalid certificate"
        )
        report.facts["security_txt"] = {"found": False, "url": fetched.url}
        report.hits.append(
            ("security-txt-missing", f"https://{url_host}{SECURITY_TXT_PATH} → {fetched.url}: {why}")
        )
        return
    parsed = parse_security_txt(fetched.body[:65536])
    report.facts["security_txt"] = {
        "found": True,
        "url": fetched.url,
        "contacts": parsed.contacts,
        "expires": parsed.expires.isoformat() if parsed.expires else None,
        "signed": parsed.signed,
        "errors": parsed.errors,
    }
    if parsed.errors:
        report.hits.append(("security-txt-invalid", f"{fetched.url}: " + "; ".join(parsed.errors)))
    elif parsed.expires is not None and parsed.expires <= now:
        report.hits.append(
            ("security-txt-expired", f"{fetched.url}: Expires {parsed.expires.isoformat()} has passed")
        )

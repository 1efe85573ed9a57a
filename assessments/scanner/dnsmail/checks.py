"""Gather the DNS and e-mail facts of a target, every lookup at once, and judge them.

`inspect_domain` is the scan's entry point (run beside the HTTP retrieval): it never raises for
a DNS or network failure; what could not be checked is listed in `DomainReport.unchecked` and
becomes one "could not check" finding. The judging lives per record family (mail, transport,
zone, web); this module only orchestrates and re-exports the names callers import from it.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from leads.domains import registrable_domain

from ..guard import canonical_host
from .domain_report import DomainReport, Hit
from .fetch import Fetched, FetchFailed, fetch_https
from .mail import judge_mail, spf_facts
from .resolver import DnsUnavailable, Lookup
from .transport import MTA_STS_PATH, mta_sts_facts
from .web import SECURITY_TXT_PATH, judge_security_txt
from .zone import caa_names, judge_caa, judge_dnssec

__all__ = [
    "MAX_PARALLEL",
    "MTA_STS_PATH",
    "SECURITY_TXT_PATH",
    "DomainReport",
    "FetchFailed",
    "Fetched",
    "Hit",
    "caa_names",
    "fetch_https",
    "inspect_domain",
]

#: Lookups in flight at once for one scan (each waits on the network, not the CPU).
MAX_PARALLEL = 12


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
                "spf": pool.submit(spf_facts, lookup, domain),
                "dmarc": pool.submit(lookup.txt, f"_dmarc.{domain}"),
                "mta_sts": pool.submit(mta_sts_facts, lookup, domain, https_port),
                "tls_rpt": pool.submit(lookup.txt, f"_smtp._tls.{domain}"),
                "dnssec_ds": pool.submit(lookup.ask, domain, "DS", dnssec=True),
                "dnssec_dnskey": pool.submit(lookup.ask, domain, "DNSKEY", dnssec=True),
                "dnssec_soa": pool.submit(lookup.ask, domain, "SOA", dnssec=True),
            }
            for name in caa_names(canonical.name):
                jobs[f"caa:{name}"] = pool.submit(lookup.ask, name, "CAA")
        results = {key: _outcome(job) for key, job in jobs.items()}
    judge_security_txt(report, results["security_txt"], now=now)
    if domain:
        judge_mail(report, results)
        judge_caa(report, results, canonical.name)
        judge_dnssec(report, results, domain)
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

"""One scan, start to finish: retrieve, run every test, judge TLS and content, grade.

`run_scan` touches the network (through the retriever and `tls.inspect`); `evaluate` is pure and
turns what was retrieved into the outcome that is stored.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from . import catalogue, compliance, extra, grading, tls
from .analyzers import TestResult, all_tests
from .dnsmail.checks import DomainReport, inspect_domain
from .retriever import Retrieval, retrieve

SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
#: Risk points a finding beyond the Observatory's tests adds (its tests are already in the score).
EXTRA_RISK = {"critical": 30, "high": 15, "medium": 7, "low": 2, "info": 0}


@dataclass(frozen=True)
class FindingData:
    check_id: str
    title: str
    severity: str
    evidence: str
    description: str
    recommendation: str
    compliance_refs: list[str]
    score_modifier: int


@dataclass
class ScanOutcome:
    score: int
    observatory_grade: str
    grade: str
    grade_cap: str | None
    risk_score: int
    tests: list[TestResult]
    findings: list[FindingData]
    results: dict[str, Any] = field(default_factory=dict)


def finding_for(check_id: str, evidence: str, modifier: int = 0) -> FindingData:
    title, severity, guidance = catalogue.FINDINGS[check_id]
    return FindingData(
        check_id=check_id,
        title=title,
        severity=severity,
        evidence=evidence[:4000],
        description=guidance.why,
        recommendation=guidance.recommendation(),
        compliance_refs=compliance.references(guidance.area),
        score_modifier=modifier,
    )


def evaluate(
    retrieval: Retrieval,
    tls_facts: tls.TlsFacts | None,
    *,
    now: datetime,
    domain: DomainReport | None = None,
) -> ScanOutcome:
    tests = [test(retrieval) for test in all_tests()]
    score = grading.score_results(tests)
    findings = [
        finding_for(t.result, t.evidence or "(header absent)", grading.modifier(t.result))
        for t in tests
        if t.result in catalogue.FINDINGS
    ]
    if retrieval.https is None:
        tls_hits, cap = [("tls-not-available", retrieval.errors.get("https", "No answer over HTTPS."))], None
    else:
        tls_hits, cap = extra.tls_findings(tls_facts, now=now)
    hits = tls_hits + extra.header_findings(retrieval) + extra.content_findings(retrieval)
    if domain is not None:  # DNS and e-mail security: counted in the risk score, not in the grade
        hits += domain.hits
    findings += [finding_for(check_id, evidence) for check_id, evidence in hits]
    findings.sort(key=lambda f: (SEVERITY_ORDER.index(f.severity), -abs(f.score_modifier), f.check_id))

    grade = grading.cap_grade(score.grade, cap)
    extra_risk = sum(EXTRA_RISK[f.severity] for f in findings if f.check_id not in grading.SCORE_MODIFIERS)
    risk = max(0, min(100, 100 - min(score.score, 100) + extra_risk))
    results = _results_json(retrieval, tls_facts, domain=domain, tests=tests, score=score, cap=cap)
    return ScanOutcome(
        score=score.score,
        observatory_grade=score.grade,
        grade=grade,
        grade_cap=cap,
        risk_score=risk,
        tests=tests,
        findings=findings,
        results=results,
    )


def _results_json(
    retrieval: Retrieval,
    tls_facts: tls.TlsFacts | None,
    *,
    domain: DomainReport | None,
    tests: list[TestResult],
    score: grading.Score,
    cap: str | None,
) -> dict[str, Any]:
    """What the assessment keeps of the scan (its `results`): every test's answer, the response,
    redirects, the TLS and DNS facts and the errors, for the API, the admin and the report."""
    auto = retrieval.auto
    return {
        "algorithm": "mdn-http-observatory v4 + TLS/content checks",
        "score": score.score,
        "observatory_grade": score.grade,
        "grade_cap": cap,
        "tests_passed": score.tests_passed,
        "tests_failed": score.tests_failed,
        "tests": {
            t.test: {
                "result": t.result,
                "pass": t.passed,
                "modifier": grading.modifier(t.result),
                "evidence": t.evidence,
            }
            for t in tests
        },
        "final_url": auto.url if auto else None,
        "status_code": auto.status if auto else None,
        "response_headers": dict(auto.headers[:100]) if auto else {},
        "http_redirects": [h.url for h in retrieval.http_redirects],
        "tls": tls_facts.to_json() if tls_facts else None,
        "errors": retrieval.errors,
        "dns": domain.to_json() if domain is not None else None,
    }


class ScanFailed(Exception):
    """The site answered, but not with a page we can assess (a 1xx, a 5xx, or a 4xx other than
    401/403)."""


def gradable_status(status: int) -> bool:
    """2xx, 3xx, 401 and 403 are graded, as the Observatory does: a login wall (401/403) or a
    redirect the scan stopped following is an ordinary front page whose headers still count."""
    return 200 <= status < 400 or status in (401, 403)


def run_scan(target_url: str) -> ScanOutcome:
    """Scan the site at `target_url`. Raises guard.TargetRefused, retriever.SiteUnreachable, ScanFailed."""
    parts = urlsplit(target_url)
    host = (parts.hostname or "").lower()
    explicit = parts.port
    http_port = explicit if explicit and parts.scheme == "http" else settings.ASSESSMENT_HTTP_PORT
    https_port = explicit if explicit and parts.scheme == "https" else settings.ASSESSMENT_HTTPS_PORT
    # The DNS and e-mail checks wait on other servers than the site: run them meanwhile.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan-dns")
    try:
        domain_job = pool.submit(inspect_domain, host=host, https_port=https_port, now=timezone.now())
        retrieval = retrieve(host=host, path=parts.path or "/", http_port=http_port, https_port=https_port)
        auto = retrieval.auto
        assert auto is not None
        if not gradable_status(auto.status):
            raise ScanFailed(
                f"The site answered {auto.url} with HTTP {auto.status}, not a page we can grade "
                "(2xx, 3xx, 401 or 403)."
            )
        facts = tls.inspect(host, https_port) if retrieval.https else None
        domain = domain_job.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)  # a failed scan does not wait for DNS
    return evaluate(retrieval, facts, now=timezone.now(), domain=domain)

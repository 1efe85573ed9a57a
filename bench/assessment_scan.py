"""Time a full security assessment scan of a local target and its PDF report (not a test).

    .venv/bin/python bench/assessment_scan.py --runs 10

The target is `www.acme-corp.com`, a domain of its own: a local authoritative DNS server (dnslib,
the suite's assessments/tests/dns_server.py) answers for `acme-corp.com` (MX, SPF, DMARC, MTA-STS,
TLS-RPT, CAA, DNSSEC-signed) and the scanner's resolver setting points at it; the web hosts are a
loopback HTTPS server (trustme certificate the scanner is told to trust, serving security.txt and
the MTA-STS policy) with a plain-HTTP server redirecting to it. The scan goes through the
scanner's public entry point, `assessments.scanner.scan.run_scan`, so every check it runs (HTTP,
TLS depth, DNS and e-mail) is in the timing; the run fails if the DNS part did not run. The PDF is the report of that scan,
with a monitoring page (twelve earlier scans and a findings diff), as a watched target gets.

Each is measured against a reference in the same run, so the ratio stays meaningful on a busy
machine: the scan against one bare HTTPS GET of the same server (a new TLS connection, as each
of the scan's requests makes), the PDF against a one-page PDF of one paragraph. The target for
both is an absolute one: under 2 s (median). Writes bench/results/assessment_scan.json (rows for
bench/run.py's table) and .md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import socket
import ssl
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from common import RESULTS, configure, percentile, ratio_row, write_result

configure(scratch_prefix="es-bench-scan-")

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
import trustme  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from pytest_httpserver import HTTPServer  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import getSampleStyleSheet  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate  # noqa: E402

from assessments.models import Finding, SecurityAssessment  # noqa: E402
from assessments.monitoring.diff import diff_findings  # noqa: E402
from assessments.monitoring.history import HistoryPoint  # noqa: E402
from assessments.monitoring.selectors import MonitoringSummary  # noqa: E402
from assessments.report import render_report  # noqa: E402
from assessments.scanner.scan import ScanOutcome, run_scan  # noqa: E402
from assessments.services import findings_from  # noqa: E402
from assessments.tests.dns_server import DnsZone, dns_server, served_getaddrinfo  # noqa: E402
from leads.models import Company, Lead  # noqa: E402

TARGET_MS = 2000
DOMAIN = "acme-corp.com"
HOST = f"www.{DOMAIN}"
#: A typical enterprise front page's headers: some protections, some gaps (findings to report).
HEADERS = {
    "Strict-Transport-Security": "max-age=300",
    "X-Content-Type-Options": "nosniff",
    "Set-Cookie": "sessionid=abc123; Path=/; HttpOnly",
    "Server": "nginx/1.18.0",
}
PAGE = (
    "<!doctype html><html><head><title>Acme</title>"
    '<script src="https://cdn.example.com/app.js"></script></head>'
    '<body><h1>Acme</h1><form action="/login" method="post"><input name="password"></form></body></html>'
)


def start_target(ca: trustme.CA) -> tuple[HTTPServer, HTTPServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(HOST, f"mta-sts.{DOMAIN}").configure_cert(context)
    https = HTTPServer(host="127.0.0.1", port=0, ssl_context=context, threaded=True)
    https.expect_request("/").respond_with_data(PAGE, content_type="text/html", headers=HEADERS)
    expires = (timezone.now() + timedelta(days=180)).strftime("%Y-%m-%dT%H:%M:%SZ")
    https.expect_request("/.well-known/security.txt").respond_with_data(
        f"Contact: mailto:security@{DOMAIN}\nExpires: {expires}\n", content_type="text/plain"
    )
    https.expect_request("/.well-known/mta-sts.txt").respond_with_data(
        f"version: STSv1\r\nmode: testing\r\nmx: mail.{DOMAIN}\r\nmax_age: 86400\r\n",
        content_type="text/plain",
    )
    https.start()
    http = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    http.expect_request("/").respond_with_data(
        "", status=301, headers={"Location": f"https://{HOST}:{https.port}/"}
    )
    http.start()
    return http, https


def target_zone() -> DnsZone:
    """acme-corp.com as a typical mid-size company publishes it: mail protected, not every gap closed."""
    zone = DnsZone()
    zone.add(DOMAIN, "SOA", f"ns1.{DOMAIN}. hostmaster.{DOMAIN}. 1 7200 3600 1209600 300")
    zone.add(HOST, "A", "127.0.0.1")
    zone.add(f"mta-sts.{DOMAIN}", "A", "127.0.0.1")
    zone.add(DOMAIN, "MX", f"10 mail.{DOMAIN}.")
    zone.txt(DOMAIN, f"v=spf1 include:_spf.{DOMAIN} ip4:203.0.113.0/24 ~all")
    zone.txt(f"_spf.{DOMAIN}", "v=spf1 ip4:198.51.100.0/24 a mx ~all")
    zone.txt(f"_dmarc.{DOMAIN}", f"v=DMARC1; p=quarantine; pct=50; rua=mailto:dmarc@{DOMAIN}")
    zone.txt(f"_mta-sts.{DOMAIN}", "v=STSv1; id=20260101")
    zone.add(DOMAIN, "CAA", '0 issue "letsencrypt.org"')
    zone.sign(DOMAIN)
    return zone


def timed(function, runs: int) -> list[float]:
    """Milliseconds of each of `runs` calls, after one warm-up call."""
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report_inputs(outcome: ScanOutcome) -> tuple[SecurityAssessment, list[Finding], MonitoringSummary]:
    lead = Lead(
        email="ciso@acme-corp.com",
        first_name="Ada",
        company=Company(name="Acme Corp", domain="acme-corp.com"),
    )
    now = timezone.now()
    assessment = SecurityAssessment(
        lead=lead,
        target_url=f"https://{HOST}/",
        target_host=HOST,
        grade=outcome.grade,
        risk_score=outcome.risk_score,
        observatory_score=outcome.score,
        completed_at=now,
        results=outcome.results,
    )
    findings = findings_from(outcome.findings)
    grades = ["D", "D+", "C-", "C", "C+", "B-", "B", "B", "B+", "B", "A-", "A"]
    history = [
        HistoryPoint(str(n), now - timedelta(weeks=12 - n), grade, 60 - 4 * n)
        for n, grade in enumerate(grades)
    ]
    history.append(HistoryPoint("now", now, outcome.grade, outcome.risk_score))
    previous = findings[len(findings) // 2 :]  # half of today's findings were there before
    diff = diff_findings(
        previous=previous,
        previous_results=outcome.results,
        current=findings,
        current_results=outcome.results,
        previous_grade="A",
        current_grade=outcome.grade,
        previous_risk=12,
        current_risk=outcome.risk_score,
    )
    summary = MonitoringSummary(host=HOST, watched=True, interval_days=7, history=history, diff=diff)
    return assessment, findings, summary


def one_paragraph_pdf() -> bytes:
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build(
        [Paragraph("Reference page.", getSampleStyleSheet()["BodyText"])]
    )
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    ca = trustme.CA()
    bundle = Path(tempfile.mkdtemp(prefix="es-bench-ca-")) / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    zone = target_zone()
    http, https = start_target(ca)
    with contextlib.ExitStack() as stack:
        stack.callback(http.stop)
        stack.callback(https.stop)
        dns_port = stack.enter_context(dns_server(zone))
        real_getaddrinfo = socket.getaddrinfo
        socket.getaddrinfo = served_getaddrinfo(zone, dns_port, (DOMAIN,))
        stack.callback(setattr, socket, "getaddrinfo", real_getaddrinfo)
        settings.ASSESSMENT_ALLOW_PRIVATE_TARGETS = True  # loopback only: the target is ours
        settings.ASSESSMENT_CA_BUNDLE = str(bundle)
        settings.ASSESSMENT_HTTP_PORT = http.port
        settings.ASSESSMENT_HTTPS_PORT = https.port
        settings.ASSESSMENT_DNS_RESOLVERS = [f"127.0.0.1:{dns_port}"]
        url = f"https://{HOST}/"
        outcome = run_scan(url)
        if not (outcome.results.get("dns") or {}).get("spf"):
            raise SystemExit(f"The DNS and e-mail checks did not run: {outcome.results.get('dns')!r}")
        scan_ms = timed(lambda: run_scan(url), args.runs)
        context = ssl.create_default_context(cafile=str(bundle))

        def bare_get() -> None:
            with httpx.Client(verify=context) as client:
                client.get(f"https://{HOST}:{https.port}/")

        get_ms = timed(bare_get, args.runs)

    assessment, findings, summary = report_inputs(outcome)
    size = len(render_report(assessment=assessment, findings=findings, monitoring=summary))
    pdf_ms = timed(
        lambda: render_report(assessment=assessment, findings=findings, monitoring=summary), args.runs
    )
    ref_pdf_ms = timed(one_paragraph_pdf, args.runs)

    scan, get = statistics.median(scan_ms), statistics.median(get_ms)
    pdf, ref_pdf = statistics.median(pdf_ms), statistics.median(ref_pdf_ms)
    checks = sorted(outcome.results.get("tests", {}))
    rows = [
        ratio_row(
            benchmark=f"assessment scan of a local target (HTTP + TLS + DNS, {len(outcome.findings)} findings)",
            measure="median ms vs one bare HTTPS GET",
            ours=scan,
            reference=get,
            target=f"< {TARGET_MS} ms",
            met=scan < TARGET_MS,
            detail=f"p90 {percentile(scan_ms, 90):.0f} ms; grade {outcome.grade}; {len(checks)} tests; run_scan",
        ),
        ratio_row(
            benchmark=f"assessment PDF of that scan with a monitoring page ({len(summary.history)} scans)",
            measure="median ms vs a one-paragraph PDF",
            ours=pdf,
            reference=ref_pdf,
            target=f"< {TARGET_MS} ms",
            met=pdf < TARGET_MS,
            detail=f"p90 {percentile(pdf_ms, 90):.0f} ms; {size / 1024:.0f} KiB",
        ),
    ]
    write_result("assessment_scan", {"runs": args.runs, "rows": rows})
    lines = [
        f"Assessment scan and PDF, {args.runs} runs each (median; bench/assessment_scan.py)",
        "",
        "| measure | ours ms | reference ms | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['benchmark']} | {row['ours']} | {row['reference']} | {row['ratio']} | {row['target']} "
            f"| {'yes' if row['met'] else 'NO'} |"
        )
    (RESULTS / "assessment_scan.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Time the PDF report of a security assessment (not a test): the issue asks for under a second.

    DEBUG=1 .venv/bin/python bench/assessment_report.py --runs 20

Builds a worst-case report in memory (no database): every finding the scanner knows, with
evidence and fixes, a full compliance table and an ROI section, and renders it `--runs` times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enterprise_scanner.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone  # noqa: E402

from assessments import roi  # noqa: E402
from assessments.models import Finding, RoiCalculation, SecurityAssessment  # noqa: E402
from assessments.report import render_report  # noqa: E402
from assessments.scanner import catalogue, compliance, grading  # noqa: E402
from leads.models import Company, Lead  # noqa: E402


def build() -> tuple[SecurityAssessment, list[Finding], RoiCalculation]:
    lead = Lead(
        email="ciso@acme-corp.com",
        first_name="Ada",
        company=Company(name="Acme Corp", domain="acme-corp.com"),
    )
    assessment = SecurityAssessment(
        lead=lead,
        target_url="https://www.acme-corp.com/",
        target_host="www.acme-corp.com",
        grade="F",
        risk_score=100,
        observatory_score=0,
        completed_at=timezone.now(),
        results={"grade_cap": "F"},
    )
    findings = [
        Finding(
            check_id=check_id,
            title=title,
            severity=severity,
            evidence="Set-Cookie: sessionid=abc123; Path=/\n" * 3,
            description=guidance.why,
            recommendation=guidance.recommendation(),
            compliance_refs=compliance.references(guidance.area),
            score_modifier=grading.SCORE_MODIFIERS.get(check_id, 0),
        )
        for check_id, (title, severity, guidance) in catalogue.FINDINGS.items()
    ]
    inputs = roi.RoiInputs(
        employees=12000, annual_security_budget=roi.Decimal("5000000"), industry="financial", region="us"
    )
    calculation = RoiCalculation(inputs=inputs.to_json(), outputs=roi.calculate(inputs))
    return assessment, findings, calculation


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--json", action="store_true", help="Also write bench/results/assessment_report.json."
    )
    args = parser.parse_args()
    assessment, findings, calculation = build()
    render_report(assessment=assessment, findings=findings, roi=calculation)  # warm-up (fonts, imports)
    times, size = [], 0
    for _ in range(args.runs):
        start = time.perf_counter()
        size = len(render_report(assessment=assessment, findings=findings, roi=calculation))
        times.append(time.perf_counter() - start)
    print(
        f"{len(findings)} findings, {size / 1024:.0f} KiB PDF, {args.runs} runs: "
        f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
    )
    if args.json:
        median_ms = statistics.median(times) * 1000
        row = {
            "benchmark": f"assessment PDF ({len(findings)} findings)",
            "measure": "median ms vs 1 s budget",
            "ours": round(median_ms, 1),
            "reference": 1000,
            "ratio": round(median_ms / 1000, 3),
            "target": "< 1000 ms",
            "met": median_ms < 1000,
            "detail": f"{size / 1024:.0f} KiB",
        }
        results = ROOT / "bench" / "results"
        results.mkdir(exist_ok=True)
        (results / "assessment_report.json").write_text(json.dumps({"rows": [row]}, indent=2) + "\n")


if __name__ == "__main__":
    main()

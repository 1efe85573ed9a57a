"""Our scanner against the real MDN HTTP Observatory (npm @mdn/mdn-http-observatory, pinned in
package-lock.json here), site by site, on the loopback fixture sites in fixtures.py.

Both tools scan every site (HTTPS on 127.0.16.N:443 with a trustme CA both trust, HTTP on :80);
each of the Observatory's ten tests must give the same result, and the score and grade must be
equal — except the three documented departures (docs/scanner-parity.md), where the difference
itself is asserted. Needs `make parity-install` (skipped without it, failed when PARITY_REQUIRED=1
as in CI) and permission to listen on ports 80 and 443.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import trustme
from django.test import override_settings

from assessments.scanner.retriever import SiteUnreachable
from assessments.scanner.scan import ScanFailed, run_scan

from .fixtures import SITES
from .sites import serving

pytestmark = pytest.mark.parity

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = (
    Path(os.environ.get("PARITY_DIR", ROOT / ".parity")) / "node_modules" / "@mdn" / "mdn-http-observatory"
)
SCRIPT = Path(__file__).with_name("observatory_scan.mjs")
OBSERVATORY_TESTS = (
    "content-security-policy",
    "cookies",
    "cross-origin-resource-sharing",
    "redirection",
    "referrer-policy",
    "strict-transport-security",
    "subresource-integrity",
    "x-content-type-options",
    "x-frame-options",
    "cross-origin-resource-policy",
)


def _unavailable() -> str | None:
    if not (PACKAGE / "src" / "scanner" / "index.js").exists():
        return f"the Observatory is not installed in {PACKAGE.parents[2]} (run `make parity-install`)"
    if not (PACKAGE / "conf" / "hsts-preload.json").exists():
        return "conf/hsts-preload.json is missing (`make parity-install` writes an empty one)"
    if shutil.which("node") is None:
        return "node is not on PATH"
    if os.geteuid() != 0:
        return "ports 80 and 443 need root"
    return None


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, tuple[dict, dict]]:
    """site name → (the Observatory's scan, ours), both as {grade, score, tests}."""
    reason = _unavailable()
    if reason:
        if os.environ.get("PARITY_REQUIRED") == "1":
            pytest.fail(f"PARITY_REQUIRED=1 but {reason}")
        pytest.skip(reason)
    ca = trustme.CA()
    bundle = tmp_path_factory.mktemp("parity") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    results: dict[str, tuple[dict, dict]] = {}
    with serving(SITES, ca) as sites:
        completed = subprocess.run(
            ["node", str(SCRIPT), str(PACKAGE), *sites],
            env={**os.environ, "NODE_EXTRA_CA_CERTS": str(bundle)},
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        observatory = json.loads(completed.stdout)
        with override_settings(
            ASSESSMENT_ALLOW_PRIVATE_TARGETS=True,
            ASSESSMENT_CA_BUNDLE=str(bundle),
            ASSESSMENT_HTTP_PORT=80,
            ASSESSMENT_HTTPS_PORT=443,
            ASSESSMENT_TIMEOUT_SECONDS=5,
        ):
            for address, site in sites.items():
                results[site.name] = (observatory[address], _ours(address))
    return results


def _ours(address: str) -> dict:
    try:
        outcome = run_scan(f"https://{address}/")
    except (ScanFailed, SiteUnreachable) as exc:
        return {"error": str(exc)}
    return {
        "grade": outcome.observatory_grade,
        "score": outcome.score,
        "tests": {t.test: t.result for t in outcome.tests if t.test in OBSERVATORY_TESTS},
    }


@pytest.mark.parametrize("site", SITES, ids=[s.name for s in SITES])
def test_same_results_and_grade_as_the_observatory(site, scans) -> None:
    theirs, ours = scans[site.name]
    assert "error" not in theirs and "error" not in ours, (theirs, ours)
    for test in OBSERVATORY_TESTS:
        if test in site.departures:
            assert (theirs["tests"][test], ours["tests"][test]) == site.departures[test], test
        else:
            assert ours["tests"][test] == theirs["tests"][test], test
    if not site.departures:
        assert (ours["score"], ours["grade"]) == (theirs["score"], theirs["grade"])


def test_agreement_figures(scans, capsys) -> None:
    """The figures quoted in docs/scanner-parity.md: share of equal test results and grades."""
    tests_equal = tests_total = grades_equal = 0
    for site in SITES:
        theirs, ours = scans[site.name]
        if "error" in theirs or "error" in ours:
            tests_total += len(OBSERVATORY_TESTS)
            continue
        for test in OBSERVATORY_TESTS:
            tests_total += 1
            expected = site.departures.get(test, (theirs["tests"][test],) * 2)
            tests_equal += (theirs["tests"][test], ours["tests"][test]) == expected
        grades_equal += bool(site.departures) or ours["grade"] == theirs["grade"]
    with capsys.disabled():
        print(
            f"\nparity: {len(SITES)} sites, tests {tests_equal}/{tests_total} "
            f"({100 * tests_equal / tests_total:.1f} %), grades {grades_equal}/{len(SITES)} "
            f"({100 * grades_equal / len(SITES):.1f} %), departures documented: "
            f"{sum(len(s.departures) for s in SITES)}"
        )
    assert tests_equal == tests_total and grades_equal == len(SITES)

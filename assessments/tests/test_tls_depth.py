"""TLS depth against real loopback servers configured deliberately weak or strong.

What this machine's OpenSSL 3.0 can serve is served for real (NULL, anonymous, static-RSA, CBC-SHA1,
TLS 1.0/1.1, 1024-bit DHE, leaf-only chains). RC4, single DES, 3DES, EXPORT and SSLv3 are gone from
it even at @SECLEVEL=0, so those are answered by `ScriptedTlsServer` with the ServerHello such a
server sends, and their classification is tested on the facts the probe recorded.
"""

from __future__ import annotations

import ssl
from datetime import UTC, datetime

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from assessments.models import AssessmentStatus
from assessments.scanner import extra, tls, tls_depth, tls_suites, tls_wire
from assessments.scanner.guard import GuardPolicy

from .servers import (
    GOOD_HEADERS,
    GOOD_PAGE,
    MODP_1024,
    ScriptedTlsServer,
    issue_leaf,
    leaf_pems,
    tls_context,
)
from .test_end_to_end import pdf_text, run_staff_scan

pytestmark = pytest.mark.django_db


def serve(start_server, context: ssl.SSLContext):
    https = start_server(context)
    https.expect_request("/").respond_with_data(GOOD_PAGE, content_type="text/html", headers=GOOD_HEADERS)
    return https


def scan(capture):
    assessment = run_staff_scan("https://localhost/", capture)
    assert assessment.status == AssessmentStatus.COMPLETED, assessment.error
    return assessment, set(assessment.findings.values_list("check_id", flat=True))


def rsa_leaf(ca: trustme.CA) -> trustme.LeafCert:
    return ca.issue_cert("localhost", "127.0.0.1", key_type=trustme.KeyType.RSA)


def test_a_modern_server_passes_every_depth_check_quickly(
    start_server, ca, tmp_path, django_capture_on_commit_callbacks
) -> None:
    serve(start_server, tls_context(tmp_path, *leaf_pems(ca.issue_cert("localhost"))))
    assessment, found = scan(django_capture_on_commit_callbacks)
    assert not {f for f in found if f.startswith("tls-")}
    assert assessment.grade == "A+" and assessment.results["grade_cap"] is None
    tls_json = assessment.results["tls"]
    depth = tls_json["depth"]
    assert depth["families"]["ECDHE"] and depth["families"]["AEAD"]
    assert not any(depth["families"][f] for f in ("NULL", "anonymous", "EXPORT", "DES", "RC4", "3DES"))
    assert depth["chain"]["complete"] is True and depth["ecdhe_group"] == "X25519"
    assert tls_json["protocols"] == {
        "SSLv3": False,
        "TLSv1.0": False,
        "TLSv1.1": False,
        "TLSv1.2": True,
        "TLSv1.3": True,
    }
    assert tls_json["elapsed_ms"] < 1000  # ~20 handshakes at once; ~40 ms on loopback here


@pytest.mark.parametrize(
    ("ciphers", "expected", "cap"),
    [
        ("eNULL:ECDHE+AESGCM:@SECLEVEL=0", "tls-cipher-null", "F"),
        ("aNULL:ECDHE+AESGCM:@SECLEVEL=0", "tls-cipher-anonymous", "F"),
        ("ECDHE+AESGCM:AES128-GCM-SHA256", "tls-non-forward-secret-suites", None),
        ("ECDHE+AESGCM:ECDHE-RSA-AES128-SHA", "tls-cipher-cbc-sha1", None),
        ("ECDHE+AESGCM:DHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", "tls-weak-key-exchange", "B"),
    ],
)
def test_weak_suites_a_local_server_offers_are_found_and_cap_the_grade(
    ciphers, expected, cap, start_server, ca, tmp_path, django_capture_on_commit_callbacks
) -> None:
    context = tls_context(
        tmp_path,
        *leaf_pems(rsa_leaf(ca)),
        ciphers=ciphers,
        maximum=ssl.TLSVersion.TLSv1_2,
        dh_prime=MODP_1024 if ":DHE-" in ciphers else None,
    )
    serve(start_server, context)
    assessment, found = scan(django_capture_on_commit_callbacks)
    assert expected in found
    assert assessment.results["grade_cap"] == cap
    if cap:
        assert assessment.grade == cap
    finding = assessment.findings.get(check_id=expected)
    assert finding.recommendation and "nginx" in finding.recommendation and finding.compliance_refs
    if expected == "tls-weak-key-exchange":
        assert "1024-bit" in finding.evidence


def test_static_rsa_only_has_no_forward_secrecy_and_is_capped_at_b(local_targets, ca, tmp_path) -> None:
    """The scan's own HTTPS client (Python's default suites) cannot talk to such a server, so the
    TLS inspection is exercised directly."""
    from pytest_httpserver import HTTPServer

    context = tls_context(
        tmp_path,
        *leaf_pems(rsa_leaf(ca)),
        ciphers="AES128-GCM-SHA256:AES256-GCM-SHA384",
        maximum=ssl.TLSVersion.TLSv1_2,
    )
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    server.start()
    try:
        facts = tls.inspect("localhost", server.port)
    finally:
        server.stop()
    hits, cap = extra.tls_findings(facts, now=datetime.now(UTC))
    found = dict(hits)
    assert "tls-no-forward-secrecy" in found and "TLS_RSA_WITH_AES" in found["tls-no-forward-secrecy"]
    assert "tls-1-3-not-supported" in found
    assert "tls-certificate-untrusted" not in found  # the verifying handshake speaks static RSA too
    assert cap == "B"


def test_tls_1_0_and_cbc_sha1_suites_are_found(
    start_server, ca, tmp_path, django_capture_on_commit_callbacks
):
    context = tls_context(
        tmp_path, *leaf_pems(rsa_leaf(ca)), ciphers="ALL:!aNULL:@SECLEVEL=0", minimum=ssl.TLSVersion.TLSv1
    )
    serve(start_server, context)
    assessment, found = scan(django_capture_on_commit_callbacks)
    assert {"tls-legacy-protocols", "tls-cipher-cbc-sha1"} <= found
    assert assessment.results["tls"]["protocols"]["TLSv1.0"] is True
    assert assessment.results["grade_cap"] == "B"


# --- Certificate chain -------------------------------------------------------------------------


@pytest.fixture
def intermediate(ca) -> trustme.CA:
    return ca.create_child_ca()


def test_a_server_sending_its_intermediate_has_a_complete_chain(
    start_server, intermediate, tmp_path, django_capture_on_commit_callbacks
) -> None:
    leaf = intermediate.issue_cert("localhost")
    cert_pems, key = leaf_pems(leaf)
    assert len(cert_pems) == 2  # leaf + intermediate
    serve(start_server, tls_context(tmp_path, cert_pems, key))
    assessment, found = scan(django_capture_on_commit_callbacks)
    assert "tls-chain-incomplete" not in found and "tls-certificate-untrusted" not in found
    chain = assessment.results["tls"]["depth"]["chain"]
    assert chain["complete"] is True and len(chain["presented"]) == 2


def test_a_leaf_only_chain_that_validates_only_with_a_cached_intermediate_is_incomplete(
    start_server, ca, intermediate, local_targets, tmp_path, django_capture_on_commit_callbacks
) -> None:
    """The trust store holds the intermediate (as a browser's cache would), so OpenSSL verifies;
    the server still does not send it."""
    bundle = tmp_path / "with-intermediate.pem"
    bundle.write_bytes(ca.cert_pem.bytes() + intermediate.cert_pem.bytes())
    local_targets.ASSESSMENT_CA_BUNDLE = str(bundle)
    cert_pems, key = leaf_pems(intermediate.issue_cert("localhost"))
    serve(start_server, tls_context(tmp_path, cert_pems[:1], key))
    assessment, found = scan(django_capture_on_commit_callbacks)
    assert assessment.results["tls"]["verify_error"] is None
    assert "tls-chain-incomplete" in found and "tls-certificate-untrusted" not in found
    evidence = assessment.findings.get(check_id="tls-chain-incomplete").evidence
    assert "found in the local trust store" in evidence
    assert assessment.results["grade_cap"] == "B" and assessment.grade == "B"


def test_a_leaf_only_chain_completed_by_aia_is_incomplete_not_untrusted(
    start_server, ca, intermediate, tmp_path, django_capture_on_commit_callbacks
) -> None:
    from pytest_httpserver import HTTPServer

    aia = HTTPServer(host="127.0.0.1", port=0)
    aia.start()
    try:
        der = x509.load_pem_x509_certificate(intermediate.cert_pem.bytes()).public_bytes(
            serialization.Encoding.DER
        )
        aia.expect_request("/intermediate.der").respond_with_data(der, content_type="application/pkix-cert")
        cert, key = issue_leaf(
            intermediate, "localhost", ca_issuers_url=f"http://127.0.0.1:{aia.port}/intermediate.der"
        )
        serve(start_server, tls_context(tmp_path, [cert], key))
        assessment, found = scan(django_capture_on_commit_callbacks)
    finally:
        aia.stop()
    assert "unable to get local issuer certificate" in assessment.results["tls"]["verify_error"]
    assert "tls-chain-incomplete" in found and "tls-certificate-untrusted" not in found
    assert "(AIA)" in assessment.findings.get(check_id="tls-chain-incomplete").evidence
    assert assessment.results["grade_cap"] == "B"


def test_a_leaf_only_chain_nobody_can_complete_is_untrusted(
    start_server, intermediate, tmp_path, django_capture_on_commit_callbacks
) -> None:
    cert_pems, key = leaf_pems(intermediate.issue_cert("localhost"))
    serve(start_server, tls_context(tmp_path, cert_pems[:1], key))
    assessment, found = scan(django_capture_on_commit_callbacks)
    assert "tls-certificate-untrusted" in found and "tls-chain-incomplete" not in found
    chain = assessment.results["tls"]["depth"]["chain"]
    assert chain["complete"] is False and chain["missing_issuer"]
    assert assessment.results["grade_cap"] == "F"


# --- What this OpenSSL cannot serve: recorded ServerHellos ----------------------------------------


@pytest.mark.parametrize(
    ("family", "suite", "version", "check_id", "cap"),
    [
        ("RC4", 0x0005, tls_wire.TLS12, "tls-cipher-rc4", "C"),
        ("3DES", 0x000A, tls_wire.TLS12, "tls-cipher-3des", "C"),
        ("EXPORT", 0x0003, tls_wire.TLS10, "tls-cipher-export", "F"),
        ("DES", 0x0009, tls_wire.TLS10, "tls-cipher-des", "F"),
    ],
)
def test_legacy_suites_are_detected_from_the_server_hello(family, suite, version, check_id, cap, settings):
    settings.ASSESSMENT_ALLOW_PRIVATE_TARGETS = True
    server = ScriptedTlsServer(suites={suite}, versions={version})
    try:
        policy = GuardPolicy.from_settings()
        choice = tls_depth.run_probe("127.0.0.1", server.port, tls_depth.FAMILY_PROBES[family], policy)
        refused = tls_depth.run_probe("127.0.0.1", server.port, tls_depth.FAMILY_PROBES["AEAD"], policy)
    finally:
        server.close()
    assert choice.accepted and choice.cipher == suite and choice.version == version
    assert not refused.accepted and refused.refusal == "alert 40"
    facts = modern_facts()
    facts.depth.families[family] = tls_suites.name(choice.cipher)
    facts.depth.family_versions[family] = tls_wire.VERSION_NAMES[version]
    hits, grade_cap = extra.tls_findings(facts, now=NOW)
    assert check_id in dict(hits) and tls_suites.name(suite) in dict(hits)[check_id]
    assert grade_cap == cap


def test_sslv3_is_detected_from_the_server_hello(settings) -> None:
    settings.ASSESSMENT_ALLOW_PRIVATE_TARGETS = True
    server = ScriptedTlsServer(suites=set(tls_suites.EVERYTHING), versions={tls_wire.SSL3})
    try:
        policy = GuardPolicy.from_settings()
        ssl3 = tls_depth.run_probe("127.0.0.1", server.port, tls_depth.PROTOCOL_PROBES["SSLv3"], policy)
        tls12 = tls_depth.run_probe("127.0.0.1", server.port, tls_depth.PROTOCOL_PROBES["TLSv1.2"], policy)
    finally:
        server.close()
    assert ssl3.version == tls_wire.SSL3 and tls12.version == tls_wire.SSL3  # it only speaks SSLv3
    facts = modern_facts()
    facts.protocols["SSLv3"] = True
    hits, cap = extra.tls_findings(facts, now=NOW)
    assert "tls-sslv3-accepted" in dict(hits) and cap == "F"


NOW = datetime(2026, 6, 1, tzinfo=UTC)


def modern_facts() -> tls.TlsFacts:
    from datetime import timedelta

    cert = tls.CertificateFacts(
        subject="CN=www.acme-corp.com",
        issuer="CN=Public CA",
        not_before=NOW - timedelta(days=10),
        not_after=NOW + timedelta(days=80),
        names=["www.acme-corp.com"],
        self_signed=False,
        key_type="EC",
        key_bits=256,
    )
    depth = tls_depth.TlsDepthFacts(
        families={
            "NULL": None,
            "anonymous": None,
            "EXPORT": None,
            "DES": None,
            "RC4": None,
            "3DES": None,
            "CBC-SHA1": None,
            "AEAD": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "no forward secrecy": None,
            "ECDHE": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "DHE": None,
            "preference": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        },
        ecdhe_group="X25519",
        ecdhe_bits=253,
    )
    return tls.TlsFacts(
        host="www.acme-corp.com",
        port=443,
        protocols={"SSLv3": False, "TLSv1.0": False, "TLSv1.1": False, "TLSv1.2": True, "TLSv1.3": True},
        certificate=cert,
        hostname_matches=True,
        depth=depth,
    )


def test_recorded_modern_facts_have_no_findings() -> None:
    assert extra.tls_findings(modern_facts(), now=NOW) == ([], None)


def test_classification_of_recorded_facts() -> None:
    """Facts no local server can produce: preference, AEAD-less TLS 1.2, a small curve, OCSP."""
    from assessments.scanner.tls_chain import ChainFacts, OcspFacts

    facts = modern_facts()
    facts.depth.families["no forward secrecy"] = "TLS_RSA_WITH_AES_128_CBC_SHA"
    facts.depth.families["preference"] = "TLS_RSA_WITH_AES_128_CBC_SHA"
    assert dict(extra.tls_findings(facts, now=NOW)[0]).keys() == {"tls-forward-secrecy-not-preferred"}

    facts = modern_facts()
    facts.protocols["TLSv1.3"] = False
    facts.depth.families["AEAD"] = None
    hits, cap = extra.tls_findings(facts, now=NOW)
    assert "tls-no-aead" in dict(hits) and cap == "A-"

    facts = modern_facts()
    facts.depth.ecdhe_group, facts.depth.ecdhe_bits = "secp192r1", 192
    assert extra.tls_findings(facts, now=NOW)[1] == "B"

    facts = modern_facts()
    facts.depth.ocsp = OcspFacts(responder="http://ocsp.ca.example", stapled=True, status="revoked")
    hits, cap = extra.tls_findings(facts, now=NOW)
    assert "tls-certificate-revoked" in dict(hits) and cap == "F"

    facts = modern_facts()
    facts.depth.ocsp = OcspFacts(responder="http://ocsp.ca.example", stapled=False)
    assert extra.tls_findings(facts, now=NOW) == (
        [
            (
                "tls-ocsp-not-stapled",
                "The certificate names the OCSP responder http://ocsp.ca.example, but no response was stapled.",
            )
        ],
        None,
    )

    facts = modern_facts()
    facts.depth.chain = ChainFacts(
        presented=["CN=www.acme-corp.com"], complete=True, weak_signatures=["CN=x (sha1)"]
    )
    assert extra.tls_findings(facts, now=NOW)[1] == "F"


def test_the_report_and_the_admin_show_the_tls_configuration(
    start_server, ca, tmp_path, django_capture_on_commit_callbacks, admin_client
) -> None:
    context = tls_context(tmp_path, *leaf_pems(rsa_leaf(ca)), ciphers="ECDHE+AESGCM:aNULL:@SECLEVEL=0")
    serve(start_server, context)
    assessment, _found = scan(django_capture_on_commit_callbacks)
    text = pdf_text(assessment)
    assert "TLS configuration" in text and "Forward secrecy" in text and "X25519" in text
    assert "Anonymous cipher suites accepted" in text
    page = admin_client.get(f"/admin/assessments/securityassessment/{assessment.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "TLS configuration" in body and "TLS_ECDH_anon_WITH" in body and "Forward secrecy" in body

"""DNS and e-mail security checks against a local authoritative DNS server (dnslib on loopback).

Each record type is served right and wrong by `DnsZone`; the scanner's resolver setting points
at the server, and the domain's web hosts (security.txt, the MTA-STS policy) are served by local
HTTPS servers that the test DNS points to.
"""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from assessments.models import AssessmentStatus, SecurityAssessment
from assessments.scanner.dnsmail.checks import inspect_domain
from assessments.scanner.dnsmail.resolver import parse_resolver
from assessments.scanner.scan import EXTRA_RISK
from assessments.services import assessment_create_by_staff
from leads.tests.factories import LeadFactory

from .dns_server import DnsZone, dns_server, served_getaddrinfo
from .servers import GOOD_HEADERS, GOOD_PAGE, free_port, server_context
from .test_end_to_end import pdf_text

DOMAIN = "acme-corp.com"
HOST = "www.acme-corp.com"
GOOD_POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mail.acme-corp.com\r\nmx: *.backup.acme-corp.com\r\nmax_age: 604800\r\n"


def security_txt(expires: dt.datetime) -> str:
    return f"Contact: mailto:security@acme-corp.com\nExpires: {expires:%Y-%m-%dT%H:%M:%SZ}\nPreferred-Languages: en\n"


@pytest.fixture
def zone(settings, monkeypatch):
    zone = DnsZone()
    zone.add(DOMAIN, "SOA", "ns1.acme-corp.com. hostmaster.acme-corp.com. 1 7200 3600 1209600 300")
    zone.add(HOST, "A", "127.0.0.1")
    zone.add(f"mta-sts.{DOMAIN}", "A", "127.0.0.1")
    with dns_server(zone) as port:
        settings.ASSESSMENT_DNS_RESOLVERS = [f"127.0.0.1:{port}"]
        settings.ASSESSMENT_DNS_TIMEOUT_SECONDS = 5.0  # generous: the machine is shared
        monkeypatch.setattr(socket, "getaddrinfo", served_getaddrinfo(zone, port, (DOMAIN,)))
        yield zone


@pytest.fixture
def web(start_server, ca):
    """One HTTPS server for www. and mta-sts. of the domain, with a valid security.txt and policy."""
    server = start_server(server_context(ca.issue_cert(HOST, f"mta-sts.{DOMAIN}")))
    return server


def serve(web, path: str, body: str, *, content_type: str = "text/plain", status: int = 200, headers=None):
    web.expect_request(path).respond_with_data(
        body, status=status, content_type=content_type, headers=headers
    )


def good_domain(zone: DnsZone, web) -> None:
    zone.add(DOMAIN, "MX", "10 mail.acme-corp.com.", "20 mx1.backup.acme-corp.com.")
    zone.txt(
        DOMAIN,
        "v=spf1 include:_spf.acme-corp.com ip4:203.0.113.0/24 -all",
        *(f"site-verification-{i}={'x' * 230}" for i in range(6)),  # > 1232 bytes: answered over TCP
    )
    zone.txt(f"_spf.{DOMAIN}", "v=spf1 ip4:198.51.100.0/24 a mx ~all")
    zone.txt(f"_dmarc.{DOMAIN}", "v=DMARC1; p=reject; rua=mailto:dmarc@acme-corp.com")
    zone.txt(f"_mta-sts.{DOMAIN}", "v=STSv1; id=20260101")
    zone.txt(f"_smtp._tls.{DOMAIN}", "v=TLSRPTv1; rua=mailto:tlsrpt@acme-corp.com")
    zone.add(DOMAIN, "CAA", '0 issue "letsencrypt.org"', '0 iodef "mailto:security@acme-corp.com"')
    zone.sign(DOMAIN)
    serve(web, "/.well-known/security.txt", security_txt(timezone.now() + dt.timedelta(days=200)))
    serve(web, "/.well-known/mta-sts.txt", GOOD_POLICY)


def inspect(settings, host: str = HOST):
    return inspect_domain(host=host, https_port=settings.ASSESSMENT_HTTPS_PORT, now=timezone.now())


def ids(report) -> set[str]:
    return {check_id for check_id, _ in report.hits}


def evidence(report, check_id: str) -> str:
    return next(text for found, text in report.hits if found == check_id)


def test_well_configured_domain_passes_every_check(settings, zone, web) -> None:
    good_domain(zone, web)
    report = inspect(settings)
    assert report.hits == []
    facts = report.to_json()
    assert facts["domain"] == DOMAIN
    assert facts["spf"]["lookups"] == 3  # include, then a and mx inside it
    assert facts["dmarc"]["policy"] == "reject"
    assert facts["mta_sts"]["mode"] == "enforce"
    assert facts["caa"] == {
        "found_at": DOMAIN,
        "issue": ["letsencrypt.org"],
        "issuewild": [],
        "iodef": ["mailto:security@acme-corp.com"],
        "records": ['0 iodef "mailto:security@acme-corp.com"', '0 issue "letsencrypt.org"'],
    }
    assert facts["dnssec"]["state"] == "validated"
    assert facts["dnssec"]["resolver_authenticated"] is False  # this server is no validating resolver
    assert facts["security_txt"]["contacts"] == ["mailto:security@acme-corp.com"]
    assert ("tcp", f"{DOMAIN}.", "TXT") in zone.queries  # the large TXT answer came over TCP


@pytest.mark.parametrize(
    ("records", "check_id", "shown"),
    [
        ([], "spf-missing", "No TXT record starting v=spf1"),
        (["v=spf1 -all", "v=spf1 mx -all"], "spf-multiple-records", "v=spf1 mx -all"),
        (["v=spf1 mx +all"], "spf-allows-any-sender", "+all"),
        (["v=spf1 mx all"], "spf-allows-any-sender", "+all"),
        (["v=spf1 mx ?all"], "spf-neutral-all", "?all"),
        (["v=spf1 mx"], "spf-neutral-all", "no all mechanism"),
        (["v=spf1 ip4:300.1.1.1 mx -all"], "spf-invalid", "not a valid address"),
        (["v=spf1 mx include: -all"], "spf-invalid", "include needs a value"),
        (["v=spf1 include:nospf.acme-corp.com -all"], "spf-invalid", "has no SPF record"),
        (["v=spf1 include:chain1.acme-corp.com -all"], "spf-too-many-lookups", "12 DNS look-ups"),
        (["v=spf1 redirect=chain1.acme-corp.com"], "spf-too-many-lookups", "12 DNS look-ups"),
    ],
)
def test_spf_problems(settings, zone, records, check_id, shown) -> None:
    zone.add(DOMAIN, "MX", "10 mail.acme-corp.com.")
    if records:
        zone.txt(DOMAIN, *records)
    zone.txt(f"nospf.{DOMAIN}", "some other text")
    # chain1 → chain2 → chain3, each with three more look-ups: 1 + (1+3) + (1+3) + 3 = 12
    zone.txt(f"chain1.{DOMAIN}", "v=spf1 a mx exists:%{i}.x.acme-corp.com include:chain2.acme-corp.com -all")
    zone.txt(f"chain2.{DOMAIN}", "v=spf1 a mx ptr include:chain3.acme-corp.com -all")
    zone.txt(f"chain3.{DOMAIN}", "v=spf1 a mx a:other.acme-corp.com -all")
    report = inspect(settings)
    spf_ids = {i for i in ids(report) if i.startswith("spf-")}
    assert spf_ids == {check_id}
    assert shown in evidence(report, check_id)


def test_spf_with_ten_lookups_is_fine(settings, zone) -> None:
    zone.add(DOMAIN, "MX", "10 mail.acme-corp.com.")
    zone.txt(DOMAIN, "v=spf1 include:a.acme-corp.com -all")
    zone.txt(f"a.{DOMAIN}", "v=spf1 a mx a mx a mx a mx a -all")  # 1 + 9 = 10
    report = inspect(settings)
    assert not {i for i in ids(report) if i.startswith("spf-")}
    assert report.facts["spf"]["lookups"] == 10


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([], {"dmarc-missing"}),
        (["v=DMARC1; p=none; rua=mailto:d@acme-corp.com"], {"dmarc-policy-none"}),
        (["v=DMARC1; p=quarantine; rua=mailto:d@acme-corp.com"], {"dmarc-policy-quarantine"}),
        (["v=DMARC1; p=reject; pct=50; rua=mailto:d@acme-corp.com"], {"dmarc-partial-pct"}),
        (["v=DMARC1; p=reject"], {"dmarc-no-reporting"}),
        (["v=DMARC1; p=reject; sp=none; rua=mailto:d@acme-corp.com"], {"dmarc-subdomain-policy-none"}),
        (["v=DMARC1; p=reject", "v=DMARC1; p=none"], {"dmarc-invalid"}),
        (["v=DMARC1; p=block; rua=mailto:d@acme-corp.com"], {"dmarc-invalid"}),
        (["v=DMARC1; p=reject; rua=mailto:d@acme-corp.com"], set()),
    ],
)
def test_dmarc(settings, zone, records, expected) -> None:
    if records:
        zone.txt(f"_dmarc.{DOMAIN}", *records)
    report = inspect(settings)
    assert {i for i in ids(report) if i.startswith("dmarc-")} == expected


@pytest.mark.parametrize(
    ("policy", "status", "expected", "shown"),
    [
        (GOOD_POLICY, 200, set(), ""),
        (GOOD_POLICY.replace("enforce", "testing"), 200, {"mta-sts-testing"}, "mode: testing"),
        (GOOD_POLICY.replace("enforce", "none"), 200, {"mta-sts-mode-none"}, "mode: none"),
        (
            GOOD_POLICY.replace("mx: *.backup.acme-corp.com\r\n", ""),
            200,
            {"mta-sts-mx-mismatch"},
            "mx1.backup",
        ),
        ("not found", 404, {"mta-sts-policy-invalid"}, "HTTP 404"),
        (GOOD_POLICY.replace("version: STSv1", "version: STSv2"), 200, {"mta-sts-policy-invalid"}, "version"),
    ],
)
def test_mta_sts_policy(settings, zone, web, policy, status, expected, shown) -> None:
    zone.add(DOMAIN, "MX", "10 mail.acme-corp.com.", "20 mx1.backup.acme-corp.com.")
    zone.txt(f"_mta-sts.{DOMAIN}", "v=STSv1; id=abc123")
    serve(web, "/.well-known/mta-sts.txt", policy, status=status)
    report = inspect(settings)
    assert {i for i in ids(report) if i.startswith("mta-sts-")} == expected
    for check_id in expected:
        assert shown in evidence(report, check_id)


def test_mta_sts_policy_must_not_redirect_and_must_be_text_plain(settings, zone, web) -> None:
    zone.add(DOMAIN, "MX", "10 mail.acme-corp.com.")
    zone.txt(f"_mta-sts.{DOMAIN}", "v=STSv1; id=abc123")
    serve(web, "/.well-known/mta-sts.txt", "", status=301, headers={"Location": "/policy.txt"})
    serve(web, "/policy.txt", GOOD_POLICY, content_type="text/html")
    report = inspect(settings)
    shown = evidence(report, "mta-sts-policy-invalid")
    assert "redirect" in shown and "not text/plain" in shown


def test_mta_sts_record_without_policy_host(settings, zone) -> None:
    zone.add(DOMAIN, "MX", "10 mail.acme-corp.com.")
    zone.txt(f"_mta-sts.{DOMAIN}", "v=STSv1; id=not-valid!")
    del zone.records[(f"mta-sts.{DOMAIN}.", "A")]
    report = inspect(settings)
    assert {"mta-sts-invalid", "mta-sts-policy-invalid"} <= ids(report)
    assert "does not resolve" in evidence(report, "mta-sts-policy-invalid")


def test_mail_receiving_domain_without_mta_sts_or_tls_rpt(settings, zone) -> None:
    zone.add(DOMAIN, "MX", "10 mail.acme-corp.com.")
    zone.txt(f"_smtp._tls.{DOMAIN}", "v=TLSRPTv1; rua=ftp://reports.acme-corp.com")
    report = inspect(settings)
    assert {"mta-sts-missing", "tls-rpt-invalid"} <= ids(report)
    assert "neither mailto: nor https:" in evidence(report, "tls-rpt-invalid")


def test_tls_rpt_missing_only_matters_for_a_domain_that_receives_mail(settings, zone) -> None:
    zone.add(DOMAIN, "MX", "10 mail.acme-corp.com.")
    assert "tls-rpt-missing" in ids(inspect(settings))


def test_null_mx_domain_needs_no_mta_sts_and_is_told_to_publish_spf_minus_all(settings, zone) -> None:
    zone.add(DOMAIN, "MX", "0 .")
    report = inspect(settings)
    assert report.facts["mx"] == {"hosts": ["0 ."], "null_mx": True}
    assert not {"mx-missing", "mta-sts-missing", "tls-rpt-missing"} & ids(report)
    assert "v=spf1 -all" in evidence(report, "spf-missing")


def test_domain_without_mx(settings, zone) -> None:
    report = inspect(settings)
    assert "mx-missing" in ids(report)
    assert not {"mta-sts-missing", "tls-rpt-missing"} & ids(report)


def test_caa_is_found_by_climbing_from_the_host_and_missing_everywhere_is_a_finding(settings, zone) -> None:
    report = inspect(settings, host=f"shop.eu.{DOMAIN}")
    assert "caa-missing" in ids(report)
    assert f"shop.eu.{DOMAIN}, eu.{DOMAIN}, {DOMAIN}, com" in evidence(report, "caa-missing")

    zone.add(f"eu.{DOMAIN}", "CAA", '0 issue "digicert.com"', '0 issuewild ";"')
    report = inspect(settings, host=f"shop.eu.{DOMAIN}")
    assert "caa-missing" not in ids(report)
    assert report.facts["caa"]["found_at"] == f"eu.{DOMAIN}"
    assert report.facts["caa"]["issue"] == ["digicert.com"] and report.facts["caa"]["issuewild"] == [";"]


@pytest.mark.parametrize(
    ("signing", "state", "check_id"),
    [
        (None, "unsigned", "dnssec-not-enabled"),
        ({"publish_ds": False}, "signed-no-ds", "dnssec-chain-incomplete"),
        ({"wrong_ds": True}, "bogus", "dnssec-invalid"),
        ({"expired": True}, "bogus", "dnssec-invalid"),
        ({}, "validated", None),
    ],
)
def test_dnssec(settings, zone, signing, state, check_id) -> None:
    if signing is not None:
        zone.sign(DOMAIN, **signing)
    report = inspect(settings)
    assert report.facts["dnssec"]["state"] == state
    assert {i for i in ids(report) if i.startswith("dnssec-")} == ({check_id} if check_id else set())


def test_dnssec_reports_a_validating_resolvers_ad_flag(settings, zone) -> None:
    zone.sign(DOMAIN)
    zone.ad = True
    assert inspect(settings).facts["dnssec"]["resolver_authenticated"] is True


@pytest.mark.parametrize(
    ("body", "content_type", "status", "check_id", "shown"),
    [
        ("Not found", "text/plain", 404, "security-txt-missing", "HTTP 404"),
        ("<html>Welcome</html>", "text/html", 200, "security-txt-missing", "not text/plain"),
        ("Contact: mailto:s@acme-corp.com\n", "text/plain", 200, "security-txt-invalid", "no Expires"),
        ("Expires: 2030-01-01T00:00:00Z\n", "text/plain", 200, "security-txt-invalid", "no Contact"),
        (
            "Contact: mailto:s@acme-corp.com\nExpires: soon\n",
            "text/plain",
            200,
            "security-txt-invalid",
            "RFC 3339",
        ),
        (security_txt(dt.datetime(2024, 1, 1)), "text/plain", 200, "security-txt-expired", "2024-01-01"),
    ],
)
def test_security_txt_problems(settings, zone, web, body, content_type, status, check_id, shown) -> None:
    if body is not None:
        serve(web, "/.well-known/security.txt", body, content_type=content_type, status=status)
    report = inspect(settings)
    assert {i for i in ids(report) if i.startswith("security-txt")} == {check_id}
    assert shown in evidence(report, check_id)


def test_signed_security_txt_is_read(settings, zone, web) -> None:
    expires = timezone.now() + dt.timedelta(days=90)
    body = (
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"
        + security_txt(expires)
        + "-----BEGIN PGP SIGNATURE-----\n\niHUEARYKAB0WIQ\n-----END PGP SIGNATURE-----\n"
    )
    serve(web, "/.well-known/security.txt", body)
    facts = inspect(settings).facts["security_txt"]
    assert facts["signed"] is True and facts["errors"] == [] and facts["contacts"]


def test_security_txt_over_https_only(settings, zone, local_targets) -> None:
    local_targets.ASSESSMENT_HTTPS_PORT = free_port()  # nothing listens: no HTTPS at all
    report = inspect(settings)
    assert "Not served over HTTPS" in evidence(report, "security-txt-missing")


def test_a_failing_name_server_is_could_not_check_not_a_missing_record(settings, zone) -> None:
    zone.add(DOMAIN, "MX", "10 mail.acme-corp.com.")
    zone.servfail.add(f"_dmarc.{DOMAIN}.")
    zone.silent.add(f"_mta-sts.{DOMAIN}.")
    settings.ASSESSMENT_DNS_TIMEOUT_SECONDS = 0.5
    report = inspect(settings)
    assert not {"dmarc-missing", "mta-sts-missing"} & ids(report)
    shown = evidence(report, "dns-checks-incomplete")
    assert f"DMARC: _dmarc.{DOMAIN} TXT: the resolvers failed (SERVFAIL or REFUSED)" in shown
    assert f"MTA-STS: _mta-sts.{DOMAIN} TXT: no answer within 0.5 s" in shown
    assert "spf-missing" in ids(report)  # the other checks still ran


def test_no_resolver_answering_at_all(settings, zone) -> None:
    settings.ASSESSMENT_DNS_RESOLVERS = [f"127.0.0.1:{free_port()}"]
    settings.ASSESSMENT_DNS_TIMEOUT_SECONDS = 0.3
    report = inspect(settings)
    assert {i for i in ids(report) if not i.startswith("security-txt")} == {"dns-checks-incomplete"}
    for area in ("MX", "SPF", "DMARC", "MTA-STS", "TLS-RPT", "DNSSEC (DS)", f"CAA {HOST}"):
        assert area in report.unchecked


def test_ip_address_and_local_targets_skip_the_domain_checks(settings, zone) -> None:
    for host in ("127.0.0.1", "localhost"):
        report = inspect(settings, host=host)
        assert "skipped" in report.facts
        assert {i for i in ids(report) if not i.startswith("security-txt")} == set()


@pytest.mark.parametrize(
    ("entry", "address", "port"),
    [
        ("192.0.2.53", "192.0.2.53", 53),
        ("192.0.2.53:5353", "192.0.2.53", 5353),
        ("[2001:db8::53]:853", "2001:db8::53", 853),
        ("2001:db8::53", "2001:db8::53", 53),
    ],
)
def test_resolver_setting(entry, address, port) -> None:
    nameserver = parse_resolver(entry)
    assert (nameserver.address, nameserver.port) == (address, port)


@pytest.mark.parametrize("entry", ["dns.google", "192.0.2.53:0", "192.0.2.53:x", "[2001:db8::53]x"])
def test_resolver_setting_refuses_nonsense(entry) -> None:
    with pytest.raises(ImproperlyConfigured):
        parse_resolver(entry)


# --- The whole assessment: scan → stored findings → admin → PDF ------------------------------------


def serve_site(start_server, web) -> None:
    web.expect_request("/").respond_with_data(GOOD_PAGE, content_type="text/html", headers=GOOD_HEADERS)
    serve(web, "/.well-known/security.txt", security_txt(timezone.now() + dt.timedelta(days=200)))
    http = start_server()
    http.expect_request("/").respond_with_data(
        "", status=301, headers={"Location": f"https://{HOST}:{web.port}/"}
    )


def staff_scan(capture) -> SecurityAssessment:
    lead = LeadFactory(email="ciso@acme-corp.com", first_name="Ada")
    with capture(execute=True):
        assessment = assessment_create_by_staff(
            lead=lead, target_url=f"https://{HOST}/", assessment_type="standard", actor=None
        )
    return SecurityAssessment.objects.get(pk=assessment.pk)


@pytest.mark.django_db
def test_full_scan_reports_dns_findings_in_the_admin_and_the_pdf_and_the_risk_not_the_grade(
    settings, zone, web, start_server, admin_client, django_capture_on_commit_callbacks
) -> None:
    serve_site(start_server, web)
    zone.add(DOMAIN, "MX", "10 mail.acme-corp.com.")
    zone.txt(DOMAIN, "v=spf1 mx -all")
    zone.txt(f"_dmarc.{DOMAIN}", "v=DMARC1; p=none; rua=mailto:dmarc@acme-corp.com")
    zone.add(DOMAIN, "CAA", '0 issue "letsencrypt.org"')

    started = time.monotonic()
    assessment = staff_scan(django_capture_on_commit_callbacks)
    elapsed = time.monotonic() - started

    assert assessment.status == AssessmentStatus.COMPLETED, assessment.error
    assert assessment.grade == "A+"  # the Observatory's grade: DNS findings never change it
    found = {f.check_id: f for f in assessment.findings.all()}
    dns_ids = {"dmarc-policy-none", "mta-sts-missing", "tls-rpt-missing", "dnssec-not-enabled"}
    assert set(found) == dns_ids | {"info-leak-server-version"}
    dmarc = found["dmarc-policy-none"]
    assert dmarc.severity == "medium" and "p=none" in dmarc.evidence
    assert '_dmarc.example.com.  TXT  "v=DMARC1; p=reject' in dmarc.recommendation
    assert "PCI DSS 4.0.1 5.4.1" in dmarc.compliance_refs
    assert assessment.risk_score == sum(EXTRA_RISK[f.severity] for f in found.values()) == 2 + 7 + 2 + 0 + 2
    dns = assessment.results["dns"]
    assert dns["domain"] == DOMAIN and dns["dnssec"]["state"] == "unsigned"
    assert dns["duration_ms"] < 1500  # every lookup at once (about 25 of them)
    assert elapsed < 6  # scan, PDF and e-mail of a local target (about 1 s on an idle machine)

    page = admin_client.get(f"/admin/assessments/securityassessment/{assessment.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "DNS and e-mail security" in html
    assert "p=none, pct=100, rua=mailto:dmarc@acme-corp.com" in html
    assert "at acme-corp.com: 0 issue &quot;letsencrypt.org&quot;" in html
    assert "DMARC policy is none (monitoring only)" in html

    text = pdf_text(assessment)
    assert "DNS and e-mail security" in text
    assert "p=none, pct=100" in text
    assert "DMARC policy is none (monitoring only)" in text


@pytest.mark.django_db
def test_scan_completes_when_dns_fails(
    settings, zone, web, start_server, django_capture_on_commit_callbacks
) -> None:
    serve_site(start_server, web)
    zone.servfail.update({f"{DOMAIN}.", f"_dmarc.{DOMAIN}."})  # SERVFAIL for the domain's own records
    assessment = staff_scan(django_capture_on_commit_callbacks)
    assert assessment.status == AssessmentStatus.COMPLETED, assessment.error
    incomplete = assessment.findings.get(check_id="dns-checks-incomplete")
    assert incomplete.severity == "info"
    assert f"DMARC: _dmarc.{DOMAIN} TXT: the resolvers failed (SERVFAIL or REFUSED)" in incomplete.evidence
    assert not assessment.findings.filter(
        check_id__in=["spf-missing", "dmarc-missing", "mx-missing"]
    ).exists()
    assert "Not checked: SPF" in pdf_text(assessment)


def test_a_bad_resolver_setting_is_a_system_check_error(settings) -> None:
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.ASSESSMENT_DNS_RESOLVERS = ["dns.google"]
    with pytest.raises(SystemCheckError, match=r"assessments\.E001"):
        call_command("check")

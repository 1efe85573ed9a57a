"""A sales manager imports a file with good, bad and known-lead rows in real Chromium at 1366×768:
the template is one click away, the preview fits the screen with every error by row and column,
the good rows import, and a kept value is overwritten only when its box is ticked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from leads.models import Lead, LeadStatus
from leads.tests.factories import TEST_PASSWORD, LeadFactory, SalesManagerFactory
from leads.tests.import_files import write_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/work/shots/import"))


def test_manager_previews_a_mixed_file_and_imports_the_good_rows(live_server, page, tmp_path) -> None:
    SalesManagerFactory(username="morgan")
    LeadFactory(
        email="dana@acme-widgets.com",
        first_name="Dana",
        last_name="Reyes",
        status=LeadStatus.CONTACTED,
        job_title="VP Security",
        utm_source="linkedin",
        phone="",
    )
    path = write_csv(
        tmp_path / "rsa-booth-scans.csv",
        [
            "email",
            "first_name",
            "last_name",
            "job_title",
            "company",
            "status",
            "owner",
            "utm_source",
            "phone",
            "badge_id",
        ],
        [
            "priya.shah@northwind-logistics.com",
            "Priya",
            "Shah",
            "CISO",
            "Northwind Logistics",
            "",
            "",
            "rsa",
            "",
            "B-1042",
        ],
        [
            "dana@acme-widgets.com",
            "Dana",
            "Reyes",
            "Security Analyst",
            "",
            "new",
            "",
            "rsa",
            "(212) 555-0100",
            "B-1043",
        ],
        ["tom@", "Tom", "Berg", "IT Manager", "", "", "", "rsa", "", "B-1044"],
        [
            "lee@contoso-bank.com",
            "Lee",
            "Park",
            "Head of IT Risk",
            "Contoso Bank",
            "sleeping",
            "nobody",
            "rsa",
            "",
            "B-1045",
        ],
        [
            "ana@fabrikam-health.com",
            "Ana",
            "Silva",
            "Director of Infrastructure",
            "Fabrikam Health",
            "contacted",
            "",
            "rsa",
            "",
            "B-1046",
        ],
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/leads/lead/import/")
    page.get_by_label("Username").fill("morgan")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="CSV template")).to_be_visible()
    expect(page.get_by_role("link", name="XLSX template")).to_be_visible()
    page.screenshot(path=str(SHOTS / "import-upload-1366.png"))

    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("select[name=format]").select_option(label="csv")
    page.get_by_role("button", name="Submit").click()

    table = page.locator("table.li-table")
    expect(table).to_contain_text("Unknown status 'sleeping'")
    expect(table).to_contain_text("No active staff user 'nobody'")
    expect(table).to_contain_text("a file never moves a lead back (it is Contacted)")
    expect(page.locator(".li-note-warn")).to_contain_text("badge_id")
    # Readable at 1366 px: nothing wider than the window.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, width
    page.screenshot(path=str(SHOTS / "import-preview-mixed-1366.png"), full_page=True)
    page.emulate_media(color_scheme="dark")  # the stock admin follows the system's dark mode
    page.screenshot(path=str(SHOTS / "import-preview-mixed-dark-1366.png"))
    page.emulate_media(color_scheme="light")

    page.get_by_label("job_title").check()
    page.get_by_role("button", name="Import 3 rows").click()
    expect(page.get_by_text("2 new, 1 updated")).to_be_visible()
    expect(page.get_by_text("2 row(s) had errors and were not imported")).to_be_visible()
    page.screenshot(path=str(SHOTS / "import-done-1366.png"))

    dana = Lead.objects.get(email="dana@acme-widgets.com")
    assert (dana.status, dana.job_title, dana.utm_source, dana.phone) == (
        LeadStatus.CONTACTED,
        "Security Analyst",
        "linkedin",
        "(212) 555-0100",
    )
    assert Lead.objects.count() == 3

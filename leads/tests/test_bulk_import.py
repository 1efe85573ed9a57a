"""The set-based path of `manage.py import_leads` (`leads.bulk_import`), on SQLite and PostgreSQL.

Decisions under test: chunks are written with COPY / executemany yet mean exactly what the
admin's import means (same cleaning, companies, scores, timeline, duplicate flags); a chunk is
all or nothing, so a chunk the database refuses is reported and the others stay imported; the
same file imported again changes nothing; e-mails are normalised exactly as the API does.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from email_validator import EmailNotValidError, validate_email

from leads.emails import email_normalise
from leads.importing import leads_import
from leads.models import Company, Lead, LeadEvent, LeadEventKind, LeadSource, LeadStatus
from leads.tests.factories import Fortune500CompanyFactory, LeadFactory, UserFactory
from leads.tests.import_files import kinds, write_csv

HEADER = ["email", "first_name", "last_name", "job_title", "phone", "company", "status", "owner"]


def timeline(email: str) -> list[str]:
    return kinds(Lead.objects.get(email__iexact=email))


@pytest.mark.django_db
def test_a_mixed_file_across_chunk_boundaries(tmp_path):
    """New, updated, unchanged, in-file duplicate and bad rows, three rows per chunk."""
    jpm = Fortune500CompanyFactory()  # jpmorganchase.com, rank 11
    LeadFactory(email="known@corp-known.com", first_name="Kay", job_title="Engineer", company=None)
    LeadFactory(email="same@corp-same.com", first_name="Sam", last_name="", job_title="", company=None)
    path = write_csv(
        tmp_path / "leads.csv",
        HEADER,
        ["Jane.Doe@JPMorganChase.com", "Jane", "Doe", "CISO", "", "JPMorgan", "", ""],  # 1 new, F500
        ["erik@new-corp-industries.com", "Erik", "Berg", "IT Manager", "", "New Corp Inc", "", ""],  # 2
        ["not-an-address", "X", "", "", "", "", "", ""],  # 3 bad e-mail
        ["KNOWN@corp-known.com", "", "", "Director of IT", "", "", "", ""],  # 4 update (case-insensitive)
        ["jane.doe@jpmorganchase.com", "Again", "", "", "", "", "", ""],  # 5 same e-mail as row 1
        ["same@corp-same.com", "Sam", "", "", "", "", "", ""],  # 6 unchanged
        ["bob@gmail.com", "Bob", "Smith", "Student", "", "", "sleeping", "nobody"],  # 7 two problems
        ["ann@gmail.com", "Ann", "Lee", "", "+1 212 555 0100", "", "contacted", ""],  # 8 new, webmail
    )

    summary = leads_import(path=path, chunk_rows=3, overwrite="job_title")

    assert (summary.total, summary.new, summary.updated, summary.skipped) == (8, 3, 1, 1)
    errors = dict(summary.errors)
    assert sorted(errors) == [3, 5, 7]
    assert "email: 'not-an-address' is not a valid e-mail address" in errors[3]
    assert errors[5] == "email: jane.doe@jpmorganchase.com is already in row 1 of this file."
    assert (
        errors[7].startswith("status: Unknown status 'sleeping'")
        and "owner: No active staff user" in errors[7]
    )
    assert summary.lines == {3: 4, 5: 6, 7: 8}  # CSV lines: the header is line 1

    jane = Lead.objects.get(email="Jane.Doe@jpmorganchase.com")  # normalised like the API
    assert jane.company == jpm and jane.is_fortune_500 and jane.source == LeadSource.IMPORT
    assert jane.score == 60 and jane.score_breakdown["total"] == 60 and jane.scored_at is not None
    assert jane.estimated_deal_value and jane.seniority == "c_level"
    assert timeline(jane.email) == [
        LeadEventKind.IMPORTED,
        LeadEventKind.COMPANY_MATCHED,
        LeadEventKind.SCORED,
    ]
    matched = jane.events.get(kind=LeadEventKind.COMPANY_MATCHED)
    assert "Fortune 500 #11" in matched.summary and matched.data["fortune_rank"] == 11
    scored = jane.events.get(kind=LeadEventKind.SCORED)
    assert scored.data["breakdown"] == jane.score_breakdown  # the explanation, on the timeline

    erik = Lead.objects.get(email="erik@new-corp-industries.com")
    assert erik.company.name == "New Corp Inc" and erik.company.domain == "new-corp-industries.com"
    ann = Lead.objects.get(email="ann@gmail.com")
    assert ann.company is None and ann.status == LeadStatus.CONTACTED and ann.phone == "+1 212 555 0100"
    assert timeline(ann.email) == [LeadEventKind.IMPORTED, LeadEventKind.SCORED]

    known = Lead.objects.get(email="known@corp-known.com")
    assert known.job_title == "Director of IT" and known.first_name == "Kay"  # blank cells keep values
    updated = known.events.get(kind=LeadEventKind.UPDATED)
    assert updated.data["changes"]["job_title"] == ["Engineer", "Director of IT"] and updated.data["row"] == 4
    assert not Lead.objects.filter(email__in=["not-an-address", "bob@gmail.com"]).exists()
    assert Lead.objects.count() == 5


@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(tmp_path):
    Fortune500CompanyFactory()
    rows = [
        [f"p{n}@{'jpmorganchase.com' if n % 2 else f'corp{n}-widgets.com'}", f"P{n}", "Q", "CISO"]
        for n in range(7)
    ]
    path = write_csv(tmp_path / "leads.csv", HEADER[:4], *rows)
    first = leads_import(path=path, chunk_rows=3)
    counts = (Lead.objects.count(), LeadEvent.objects.count(), Company.objects.count())

    again = leads_import(path=path, chunk_rows=3)

    assert (first.new, first.errors) == (7, [])
    assert (again.new, again.updated, again.skipped, again.errors) == (0, 0, 7, [])
    assert (Lead.objects.count(), LeadEvent.objects.count(), Company.objects.count()) == counts


@pytest.mark.django_db
def test_rows_of_one_file_flag_each_other_as_likely_duplicates_once(tmp_path):
    older = LeadFactory(email="jane.doe@gmail.com", phone="")
    path = write_csv(
        tmp_path / "leads.csv",
        HEADER,
        ["janedoe+x@googlemail.com", "Jane", "Doe", "", "", "", "", ""],  # same mailbox as older
        ["a.one@corp-dupes.com", "Al", "Smith", "", "", "", "", ""],
        ["b.two@corp-dupes.com", "Al", "Smith", "", "", "", "", ""],  # same name, same company
    )
    assert leads_import(path=path, chunk_rows=2).new == 3  # the pair spans a chunk boundary

    flags = LeadEvent.objects.filter(data__possible_duplicate=True)
    assert {(flag.lead.email, flag.data["duplicate_email"]) for flag in flags} == {
        ("janedoe+x@googlemail.com", older.email),
        ("b.two@corp-dupes.com", "a.one@corp-dupes.com"),
    }
    assert all(flag.actor_label == "import" for flag in flags)


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_counts_like_the_real_run(tmp_path):
    LeadFactory(email="known@corp-known.com", job_title="Engineer")
    path = write_csv(
        tmp_path / "leads.csv",
        HEADER,
        ["new@corp-new.com", "N", "", "CISO", "", "", "", ""],
        ["known@corp-known.com", "", "", "CTO", "", "", "", ""],
        ["bad", "", "", "", "", "", "", ""],
    )
    before = (Lead.objects.count(), LeadEvent.objects.count(), Company.objects.count())
    dry = leads_import(path=path, dry_run=True, overwrite="job_title")
    assert (Lead.objects.count(), LeadEvent.objects.count(), Company.objects.count()) == before
    real = leads_import(path=path, overwrite="job_title")
    assert (dry.new, dry.updated, dry.skipped, dry.errors) == (
        real.new,
        real.updated,
        real.skipped,
        real.errors,
    )
    assert (real.new, real.updated, [number for number, _ in real.errors]) == (1, 1, [3])


@pytest.mark.django_db(transaction=True)
def test_a_chunk_the_database_refuses_is_reported_and_the_others_stay(tmp_path):
    """The owner named by rows 3-4 is deleted while the import runs (after chunk 1, when the
    staff users were already read): the database refuses chunk 2 as a whole, chunks 1 and 3 are in, and a second run, with the
    owner column fixed, imports exactly the missing rows."""
    get_user_model().objects.create(username="gone", is_staff=True)
    UserFactory(username="stays", is_staff=True)
    rows = [
        [
            f"p{n}@corp{n}-widgets.com",
            f"P{n}",
            "",
            "",
            "",
            "",
            "",
            {1: "stays", 3: "gone", 4: "gone"}.get(n, ""),
        ]
        for n in range(1, 6)
    ]
    path = write_csv(tmp_path / "leads.csv", HEADER, *rows)

    def delete_owner_after_first_chunk(done: int, total: int) -> None:
        if done == 2:
            get_user_model().objects.filter(username="gone").delete()

    summary = leads_import(path=path, chunk_rows=2, progress=delete_owner_after_first_chunk)

    assert (summary.new, summary.error_rows) == (3, 2)
    [(number, message)] = summary.errors
    assert number == 3 and message.startswith("Rows 3–4 were not imported (rolled back)")
    assert sorted(Lead.objects.values_list("email", flat=True)) == [
        "p1@corp1-widgets.com",
        "p2@corp2-widgets.com",
        "p5@corp5-widgets.com",
    ]
    assert not Company.objects.filter(domain__in=["corp3-widgets.com", "corp4-widgets.com"]).exists()

    fixed = write_csv(
        tmp_path / "fixed.csv",
        HEADER,
        *[[*row[:-1], "stays" if row[-1] == "gone" else row[-1]] for row in rows],
    )
    again = leads_import(path=fixed)
    assert (again.new, again.skipped, again.errors) == (2, 3, [])
    assert Lead.objects.get(email="p3@corp3-widgets.com").owner.username == "stays"
    assert Company.objects.filter(domain="corp3-widgets.com").exists()


TRICKY_ADDRESSES = [
    "John.Doe@Example.COM",
    "a+tag@GMAIL.com",
    "Postmaster@corp.com",
    "ABUSE@corp.com",
    "a..b@corp.com",
    ".a@corp.com",
    "a.@corp.com",
    "x@localhost",
    "x@foo.local",
    "x@foo.test",
    "x@xn--bcher-kva.ch",
    "x@bücher.ch",
    "üser@corp.com",
    '"quoted"@corp.com',
    "Jo <jo@corp.com>",
    "j @corp.com",
    "a@-b.com",
    "a@b.123",
    "a@[192.0.2.1]",
    "@corp.com",
    "a@",
    "a" * 64 + "@corp.com",
    "a" * 65 + "@corp.com",
    "a@" + ("b" * 60 + ".") * 4 + "com",
    "a@x..com",
]


@pytest.mark.parametrize("raw", TRICKY_ADDRESSES)
def test_email_normalise_agrees_with_the_apis_validator(raw):
    try:
        expected: str | None = validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        expected = None
    try:
        got: str | None = email_normalise(raw)
    except EmailNotValidError:
        got = None
    assert got == expected

"""The set-based writer of new leads (`leads.import_sql`, PostgreSQL) against the per-row path.

Decision under test: moving the writes of new leads into SQL changes nothing a user sees. The
same file (new leads at a Fortune 500 company, a new company and on webmail, owners given and
defaulted, consent, follow-ups, first-touch fields, a lost deal with and without its reason,
bad rows, an e-mail twice in the file, likely duplicates of an existing lead and of each other
across chunks, updates and an unchanged known lead) is imported by both paths from the same
starting point; leads, companies, timelines (texts and JSON data), duplicate flags, hot leads'
re-scoring jobs and the summary must be identical. On SQLite only the per-row path exists, and
the file's exact outcome is asserted on both databases.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from leads.bulk_import import LeadChunkImporter
from leads.importing import ImportSummary, leads_import
from leads.models import Company, Lead, LeadEvent, LeadEventKind
from leads.tests.factories import Fortune500CompanyFactory, LeadFactory, UserFactory
from leads.tests.import_files import write_csv

HEADER = [
    "email",
    "first_name",
    "last_name",
    "job_title",
    "phone",
    "company",
    "status",
    "lost_reason",
    "source",
    "owner",
    "consent_marketing",
    "next_follow_up_at",
    "utm_source",
    "message",
]
ROWS = [
    # 1-4
    ["Jane.Doe@JPMorganChase.com", "Jane", "Doe", "CISO", "+1 212 555 0100", "JPMorgan", "", "", "", "rep",
     "yes", "2031-03-04", "linkedin", "Call me"],
    ["erik@new-corp-industries.com", "Erik", "Berg", "IT Manager", "", "New Corp Inc", "contacted", "",
     "demo_request", "", "no", "2031-03-04 15:30", "", ""],
    ["not-an-address", "X", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["KNOWN@corp-known.com", "", "", "Director of IT", "", "", "qualified", "", "", "", "", "", "", ""],
    # 5-8
    ["jane.doe@jpmorganchase.com", "Again", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["same@corp-same.com", "Sam", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["bob@gmail.com", "Bob", "Smith", "Student", "", "", "sleeping", "", "", "nobody", "", "", "", ""],
    ["ann@gmail.com", "Ann", "Lee", "", "212.555.0199", "", "Contacted", "", "", "", "", "", "", ""],
    # 9-12
    ["janedoe+x@googlemail.com", "Jane", "Doe", "", "", "", "", "", "", "", "", "", "", ""],
    ["a.one@corp-dupes.com", "Al", "Smith", "Security Engineer", "", "Dupes", "", "", "", "", "", "", "", ""],
    ["lost@corp-lost.com", "Lo", "", "", "", "", "closed_lost", "", "", "", "", "", "", ""],
    ["won@corp-lost.com", "Wo", "", "", "", "", "closed_lost", "Budget", "", "", "", "", "", ""],
    # 13-16
    ["b.two@corp-dupes.com", "Al", "Smith", "VP of Security", "", "Dupes", "", "", "", "", "", "", "", ""],
    ["tmp@mailinator.com", "T", "", "CTO", "", "", "", "", "", "", "", "", "", ""],
    ["long@corp-long.com", "L" * 101, "", "", "", "", "", "", "", "", "", "", "", ""],
    ["Chief.Security@jpmorganchase.com", "Chi", "Ef", "Chief Information Security Officer", "", "", "", "",
     "", "", "", "", "", ""],
]  # fmt: skip


@pytest.fixture
def known_state(db):
    _known_state()


def _known_state() -> None:
    """The database the file meets: a Fortune 500 company, staff, leads the file updates or matches."""
    Fortune500CompanyFactory()
    UserFactory(username="rep")
    LeadFactory(
        email="known@corp-known.com", first_name="Kay", last_name="Known", job_title="Engineer", company=None
    )
    LeadFactory(email="same@corp-same.com", first_name="Sam", last_name="", job_title="", company=None)
    LeadFactory(email="jane.doe@gmail.com", first_name="Jane", last_name="Doe", phone="", company=None)


def _snapshot() -> dict[str, Any]:
    """Everything the import wrote, without ids and clock times (which differ between runs)."""
    email_of = {str(pk): email for pk, email in Lead.objects.values_list("pk", "email")}
    domain_of = {str(pk): domain for pk, domain in Company.objects.values_list("pk", "domain")}
    skip = {"id", "created_at", "updated_at", "scored_at", "consent_marketing_at", "company", "owner"}
    leads = {}
    for lead in Lead.objects.select_related("company", "owner").order_by("email"):
        values = {
            f.attname: getattr(lead, f.attname) for f in Lead._meta.concrete_fields if f.name not in skip
        }
        values["company"] = lead.company.domain if lead.company else None
        values["owner"] = lead.owner.username if lead.owner else None
        values["scored"] = lead.scored_at is not None
        values["consent_at"] = lead.consent_marketing_at is not None
        leads[lead.email] = values
    events = []
    for event in LeadEvent.objects.select_related("lead", "actor").order_by("lead__email", "id"):
        data = dict(event.data)
        if "company" in data:
            data["company"] = domain_of[data["company"]]
        if "duplicate_of" in data:
            data["duplicate_of"] = email_of[data["duplicate_of"]]
        actor = event.actor.username if event.actor else None
        events.append((event.lead.email, event.kind, event.summary, data, actor, event.actor_label))
    companies = sorted(Company.objects.values_list("domain", "name", "fortune_rank"))
    jobs = sorted(
        (result.task_path, tuple(result.args_kwargs["args"])) for result in DBTaskResult.objects.all()
    )
    jobs = [(path, tuple(email_of.get(arg, arg) for arg in args)) for path, args in jobs]
    return {"leads": leads, "events": events, "companies": companies, "jobs": sorted(jobs)}


def _import(tmp_path, *, set_based: bool) -> tuple[ImportSummary, dict[str, Any]]:
    """Import the file by one path and roll it back, so the other path starts from the same state."""
    path = write_csv(tmp_path / "leads.csv", HEADER, *ROWS)
    owner = UserFactory(username="default-owner")
    with transaction.atomic():
        summary = leads_import(
            path=path, chunk_rows=4, owner=owner, overwrite="job_title", set_based=set_based
        )
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return summary, snapshot


def _facts(summary: ImportSummary) -> tuple[Any, ...]:
    return summary.total, summary.new, summary.updated, summary.skipped, summary.errors, summary.lines


@pytest.mark.usefixtures("known_state")
def test_the_file_means_the_same_on_both_paths(tmp_path, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.LEAD_SCORING = {"hot_threshold": 60}  # the CISOs at JPMorgan are hot: re-scored later
    per_row, per_row_state = _import(tmp_path, set_based=False)

    assert _facts(per_row)[:4] == (16, 9, 1, 1)
    assert [number for number, _ in per_row.errors] == [3, 5, 7, 11, 15]
    state = per_row_state
    jane = state["leads"]["Jane.Doe@jpmorganchase.com"]
    assert (jane["company"], jane["is_fortune_500"], jane["owner"], jane["consent_at"]) == (
        "jpmorganchase.com",
        True,
        "rep",
        True,
    )
    assert (jane["score"], jane["scored"]) == (0, False)  # hot: left to the re-scoring job
    assert [job for job in state["jobs"] if "rescore" in job[0]] == [
        ("leads.tasks.lead_rescore_task", ("Chief.Security@jpmorganchase.com",)),
        ("leads.tasks.lead_rescore_task", ("Jane.Doe@jpmorganchase.com",)),
        ("leads.tasks.lead_rescore_task", ("known@corp-known.com",)),  # its title changed
    ]
    erik = state["leads"]["erik@new-corp-industries.com"]
    assert (erik["company"], erik["owner"], erik["status"], erik["scored"]) == (
        "new-corp-industries.com",
        "default-owner",
        "contacted",
        True,
    )
    flags = {(e[0], e[3]["duplicate_email"]) for e in state["events"] if e[3].get("possible_duplicate")}
    assert flags == {
        ("janedoe+x@googlemail.com", "jane.doe@gmail.com"),
        ("b.two@corp-dupes.com", "a.one@corp-dupes.com"),
    }
    kinds = [e[1] for e in state["events"] if e[0] == "erik@new-corp-industries.com"]
    assert kinds == [LeadEventKind.IMPORTED, LeadEventKind.COMPANY_MATCHED, LeadEventKind.SCORED]

    if connection.vendor != "postgresql":
        return
    set_based, set_based_state = _import(tmp_path, set_based=True)
    assert _facts(set_based) == _facts(per_row)
    assert set_based_state["leads"] == per_row_state["leads"]
    assert set_based_state["events"] == per_row_state["events"]
    assert set_based_state["companies"] == per_row_state["companies"]
    assert set_based_state["jobs"] == per_row_state["jobs"]


@pytest.mark.usefixtures("known_state")
def test_the_same_file_again_is_unchanged_on_the_set_based_path(tmp_path):
    path = write_csv(tmp_path / "leads.csv", HEADER, *ROWS)
    first = leads_import(path=path, chunk_rows=4)
    counts = (Lead.objects.count(), LeadEvent.objects.count(), Company.objects.count())

    again = leads_import(path=path, chunk_rows=4)

    assert (first.new, again.new, again.updated, again.skipped) == (9, 0, 0, 11)
    assert (Lead.objects.count(), LeadEvent.objects.count(), Company.objects.count()) == counts


@pytest.mark.django_db(transaction=True)
def test_the_writer_thread_writes_what_the_per_row_path_writes(tmp_path, settings, monkeypatch):
    """Outside a transaction the set-based chunks are written on a writer thread with its own
    connection (`leads.importing._ChunkWriter`): same outcome as the per-row path."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.LEAD_SCORING = {"hot_threshold": 60}
    path = write_csv(tmp_path / "leads.csv", HEADER, *ROWS)
    owner = UserFactory(username="default-owner")

    def run(set_based: bool) -> tuple[tuple[Any, ...], dict[str, Any]]:
        Lead.objects.all().delete()
        Company.objects.all().delete()
        DBTaskResult.objects.all().delete()
        _known_state()  # the same starting point for both paths
        summary = leads_import(
            path=path, chunk_rows=4, owner=owner, overwrite="job_title", set_based=set_based
        )
        return _facts(summary), _snapshot()

    writers: list[str] = []
    write = LeadChunkImporter.write

    def spy(self: LeadChunkImporter, chunk: Any) -> Any:
        writers.append(threading.current_thread().name)
        return write(self, chunk)

    monkeypatch.setattr(LeadChunkImporter, "write", spy)
    per_row = run(set_based=False)
    threaded = run(set_based=connection.vendor == "postgresql")

    assert threaded == per_row
    if connection.vendor == "postgresql":
        assert any(name.startswith("import-writer") for name in writers)
    assert per_row[0][1] == 9 and len(per_row[1]["events"]) > 20

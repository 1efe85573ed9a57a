"""Reminder digests of due tasks: one per rep, the unassigned ones to the managers, the right
tasks, once a day, escaped, command."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from leads.followups import follow_up_day_bounds, send_followup_reminders
from leads.models import Lead, LeadEvent, LeadEventKind, LeadStatus
from leads.services import task_update
from leads.tests.factories import (
    Fortune500CompanyFactory,
    LeadFactory,
    SalesManagerFactory,
    SalesRepFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 11)
START = datetime(2025, 6, 11, tzinfo=UTC)


@pytest.fixture
def due(sales_rep, other_rep) -> dict[str, Lead]:
    inactive = SalesRepFactory(username="gone", is_active=False)
    SalesRepFactory(username="idle")  # owns nothing due: gets nothing
    return {
        "today": LeadFactory(
            owner=sales_rep,
            first_name="Tara",
            last_name="Today",
            company=Fortune500CompanyFactory(),
            next_follow_up_at=START + timedelta(hours=10),
        ),
        "overdue": LeadFactory(
            owner=sales_rep,
            first_name="Oscar",
            last_name="Overdue",
            next_follow_up_at=START - timedelta(days=2),
        ),
        "tomorrow": LeadFactory(
            owner=sales_rep,
            first_name="Tom",
            last_name="Tomorrow",
            next_follow_up_at=START + timedelta(days=1),
        ),
        "closed": LeadFactory(
            owner=sales_rep,
            first_name="Clara",
            last_name="Closed",
            status=LeadStatus.CLOSED_LOST,
            lost_reason="No budget",
            next_follow_up_at=START - timedelta(days=1),
        ),
        "none": LeadFactory(owner=sales_rep, first_name="Nina", last_name="Nodate"),
        "theirs": LeadFactory(
            owner=other_rep,
            first_name="Theo",
            last_name="Theirs",
            next_follow_up_at=START - timedelta(hours=1),
        ),
        "unassigned": LeadFactory(owner=None, next_follow_up_at=START + timedelta(hours=1)),
        "inactive_owner": LeadFactory(owner=inactive, next_follow_up_at=START + timedelta(hours=1)),
    }


def _admin_url(lead: Lead) -> str:
    return settings.SITE_URL + reverse("admin:leads_lead_change", args=[lead.pk])


def test_one_digest_per_rep_with_their_due_and_overdue_leads(sales_rep, other_rep, due) -> None:
    report = send_followup_reminders(today=TODAY)

    assert report.digests_sent == 2 and report.leads_reminded == 3
    assert report.without_active_owner == 2 and report.failures == []
    assert sorted(m.to[0] for m in mail.outbox) == [other_rep.email, sales_rep.email]

    message = next(m for m in mail.outbox if m.to == [sales_rep.email])
    assert message.subject == "Follow-ups for Wed 11 Jun: 1 due today, 1 overdue"
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    for body in (message.body, html):
        assert "Tara Today" in body and "Oscar Overdue" in body
        assert "Tom Tomorrow" not in body and "Clara Closed" not in body and "Nina" not in body
        assert "Theo Theirs" not in body
        assert _admin_url(due["today"]) in body and _admin_url(due["overdue"]) in body
        assert "Fortune 500 #11" in body or "F500 #11" in body
    # Overdue comes first: it is what most needs doing.
    assert message.body.index("OVERDUE") < message.body.index("Oscar") < message.body.index("DUE TODAY")

    theirs = next(m for m in mail.outbox if m.to == [other_rep.email])
    assert "Theo Theirs" in theirs.body and "Tara" not in theirs.body


def test_each_reminded_lead_gets_a_timeline_entry(sales_rep, due) -> None:
    send_followup_reminders(today=TODAY)

    entries = LeadEvent.objects.filter(kind=LeadEventKind.EMAIL_SENT)
    assert {entry.lead_id for entry in entries} == {due["today"].pk, due["overdue"].pk, due["theirs"].pk}
    entry = entries.get(lead=due["today"])
    assert entry.data == {"digest": "follow_up", "digest_date": "2025-06-11", "to": sales_rep.email}
    assert entry.actor_label == "follow-up reminders" and "due today" in entry.summary


def test_second_run_the_same_day_sends_nothing(due) -> None:
    send_followup_reminders(today=TODAY)
    mail.outbox.clear()

    report = send_followup_reminders(today=TODAY)

    assert mail.outbox == [] and report.digests_sent == 0 and report.already_reminded == 3
    assert LeadEvent.objects.filter(kind=LeadEventKind.EMAIL_SENT).count() == 3


def test_a_lead_due_later_the_same_day_is_still_reminded(sales_rep, due) -> None:
    send_followup_reminders(today=TODAY)
    mail.outbox.clear()
    task_update(task=due["tomorrow"].tasks.get(), due_at=START + timedelta(hours=16), actor=sales_rep)

    send_followup_reminders(today=TODAY)

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [sales_rep.email]
    assert "Tom Tomorrow" in mail.outbox[0].body and "Tara Today" not in mail.outbox[0].body


def test_the_next_day_overdue_leads_are_reminded_again(due) -> None:
    send_followup_reminders(today=TODAY)
    mail.outbox.clear()

    report = send_followup_reminders(today=TODAY + timedelta(days=1))

    # Tara (now overdue), Oscar, Tom (due that day) for the rep; Theo for the other rep.
    assert report.digests_sent == 2 and report.leads_reminded == 4


def test_nothing_due_sends_nothing(sales_rep) -> None:
    LeadFactory(owner=sales_rep, next_follow_up_at=START + timedelta(days=3))
    report = send_followup_reminders(today=TODAY)
    assert mail.outbox == [] and report.digests == []


def test_dry_run_sends_and_records_nothing(due) -> None:
    report = send_followup_reminders(today=TODAY, dry_run=True)

    assert mail.outbox == []
    assert not LeadEvent.objects.filter(kind=LeadEventKind.EMAIL_SENT).exists()
    assert len(report.digests) == 2 and report.leads_reminded == 3 and report.digests_sent == 0


def test_html_digest_escapes_lead_fields(sales_rep) -> None:
    lead = LeadFactory(
        owner=sales_rep,
        first_name="<script>alert(1)</script>",
        last_name="",
        job_title='"><img src=x onerror=alert(2)>',
        next_follow_up_at=START,
    )
    send_followup_reminders(today=TODAY)

    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    # The plain-text part is not HTML: it shows the name as typed.
    assert "<script>alert(1)</script>" in mail.outbox[0].body
    assert _admin_url(lead) in html


def test_days_are_local_days(settings, sales_rep) -> None:
    settings.TIME_ZONE = "America/New_York"
    # 22:00 on 11 June in New York (already the 12th in UTC): due "today" on the 11th there.
    late = LeadFactory(owner=sales_rep, next_follow_up_at=datetime(2025, 6, 12, 2, 0, tzinfo=UTC))
    bounds = follow_up_day_bounds(today=TODAY)
    assert bounds.start == datetime(2025, 6, 11, 4, 0, tzinfo=UTC)

    report = send_followup_reminders(today=TODAY)

    assert report.digests_sent == 1 and [line.lead.pk for line in report.digests[0].lines] == [late.pk]
    assert "1 due today, 0 overdue" in mail.outbox[0].subject


def test_a_failed_send_records_nothing_and_does_not_stop_the_others(monkeypatch, sales_rep, other_rep, due):
    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send

    def flaky_send(self, fail_silently=False):
        if self.to == [sales_rep.email]:
            raise ConnectionRefusedError("SMTP server down")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)
    report = send_followup_reminders(today=TODAY)

    assert report.digests_sent == 1 and [m.to for m in mail.outbox] == [[other_rep.email]]
    assert [d.rep for d in report.failures] == [sales_rep] and "SMTP server down" in report.failures[0].error
    assert not LeadEvent.objects.filter(kind=LeadEventKind.EMAIL_SENT, lead__owner=sales_rep).exists()

    # The next run (cron, or by hand) sends the missed digest, and only that one.
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    mail.outbox.clear()
    report = send_followup_reminders(today=TODAY)
    assert report.digests_sent == 1 and [m.to for m in mail.outbox] == [[sales_rep.email]]


def test_rep_without_an_email_address_is_reported_not_failed(sales_rep) -> None:
    """Bug: the dry run said "would send" to a rep without an e-mail address, then the real run
    failed on it. Now both report the rep as unreachable, and nothing fails."""
    nomail = SalesRepFactory(username="nomail", email="")
    LeadFactory(owner=nomail, next_follow_up_at=START)
    LeadFactory(owner=sales_rep, next_follow_up_at=START)

    dry = send_followup_reminders(today=TODAY, dry_run=True)
    assert [d.rep for d in dry.digests] == [sales_rep] and [d.rep for d in dry.without_email] == [nomail]

    report = send_followup_reminders(today=TODAY)
    assert report.digests_sent == 1 and report.failures == []
    assert [d.rep for d in report.without_email] == [nomail] and [m.to for m in mail.outbox] == [
        [sales_rep.email]
    ]


# --- The command -----------------------------------------------------------------------------------


def test_command_sends_and_reports(due) -> None:
    out = StringIO()
    call_command("send_followup_reminders", "--date", "2025-06-11", stdout=out)

    output = out.getvalue()
    assert "Follow-up reminders for 2025-06-11: 2 digest(s) sent covering 3 task(s) on 3 lead(s)." in output
    assert "rep: 1 due today, 1 overdue — sent" in output
    assert "unassigned or owned by an inactive user, and no sales manager or superuser" in output
    assert "to tell: 2 task(s)" in output
    assert len(mail.outbox) == 2

    out = StringIO()
    call_command("send_followup_reminders", "--date", "2025-06-11", stdout=out)
    assert "0 digest(s) sent covering 0 task(s) on 0 lead(s)" in out.getvalue()
    assert "already reminded earlier today: 3 task(s)" in out.getvalue()
    assert len(mail.outbox) == 2


def test_command_dry_run_sends_nothing(due) -> None:
    out = StringIO()
    call_command("send_followup_reminders", "--date", "2025-06-11", "--dry-run", stdout=out)

    assert (
        "dry run: nothing sent" in out.getvalue()
        and "2 digest(s) would go out covering 3 task(s) on 3 lead(s)" in out.getvalue()
    )
    assert "rep: 1 due today, 1 overdue — would send" in out.getvalue()
    assert mail.outbox == [] and not LeadEvent.objects.filter(kind=LeadEventKind.EMAIL_SENT).exists()


@pytest.mark.parametrize("bad", ["2025-13-01", "tomorrow", "11/06/2025", ""])
def test_command_rejects_a_bad_date(bad, due) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_followup_reminders", "--date", bad, stdout=StringIO())
    assert mail.outbox == []


def test_command_exits_non_zero_when_a_digest_fails(monkeypatch, sales_rep) -> None:
    from django.core.mail import EmailMultiAlternatives

    def down(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", down)
    LeadFactory(owner=sales_rep, next_follow_up_at=START)
    out = StringIO()
    with pytest.raises(CommandError, match="1 digest") as excinfo:
        call_command("send_followup_reminders", "--date", "2025-06-11", stdout=out)
    assert excinfo.value.returncode == 1
    assert "rep: 1 due today, 0 overdue — FAILED: ConnectionRefusedError: SMTP server down" in out.getvalue()


def test_command_names_a_rep_without_an_email_address_and_succeeds(sales_rep) -> None:
    LeadFactory(owner=SalesRepFactory(username="nomail", email=""), next_follow_up_at=START)
    for dry in ([], ["--dry-run"]):
        out = StringIO()
        call_command("send_followup_reminders", "--date", "2025-06-11", *dry, stdout=out)
        assert "nomail: 1 due today, 0 overdue — NOT SENT: nomail has no e-mail address" in out.getvalue()
        assert "would send" not in out.getvalue()
    assert mail.outbox == []


# --- Tasks nobody active is assigned: to the sales managers, once ----------------------------------


def test_due_tasks_on_unassigned_leads_go_to_the_sales_managers_in_one_digest_once(
    sales_rep, sales_manager
) -> None:
    """Bug: due follow-ups on unassigned leads notified nobody."""
    second = SalesManagerFactory(username="boss2")
    SalesManagerFactory(username="nomail-boss", email="")  # cannot be told: left out of To
    unassigned = LeadFactory(
        owner=None, first_name="Una", last_name="Nowner", next_follow_up_at=START + timedelta(hours=9)
    )
    gone = SalesRepFactory(username="gone", is_active=False)
    orphan = LeadFactory(
        owner=gone, first_name="Otto", last_name="Orphan", next_follow_up_at=START - timedelta(days=1)
    )
    LeadFactory(owner=sales_rep, next_follow_up_at=START)

    report = send_followup_reminders(today=TODAY)

    assert report.digests_sent == 2 and report.without_active_owner == 0 and report.failures == []
    team = next(m for m in mail.outbox if "Unassigned tasks" in m.subject)
    assert sorted(team.to) == sorted([sales_manager.email, second.email])
    assert team.subject == "Unassigned tasks for Wed 11 Jun: 1 due today, 1 overdue"
    assert "Una Nowner" in team.body and "Otto Orphan" in team.body and "Assign the lead" in team.body
    entry = unassigned.events.get(kind=LeadEventKind.EMAIL_SENT)
    assert "the sales managers" in entry.summary and sales_manager.email in entry.data["to"]
    assert orphan.events.filter(kind=LeadEventKind.EMAIL_SENT).count() == 1

    mail.outbox.clear()
    again = send_followup_reminders(today=TODAY)
    assert mail.outbox == [] and again.already_reminded == 3


def test_without_sales_managers_superusers_with_an_email_get_the_unassigned_tasks() -> None:
    UserFactory(username="root", is_superuser=True)
    UserFactory(username="root-nomail", is_superuser=True, email="")
    LeadFactory(owner=None, next_follow_up_at=START)

    report = send_followup_reminders(today=TODAY)

    assert report.digests_sent == 1 and [m.to for m in mail.outbox] == [["root@enterprisescanner.test"]]


def test_command_defaults_to_today(sales_rep) -> None:
    LeadFactory(owner=sales_rep, next_follow_up_at=follow_up_day_bounds().start)
    out = StringIO()
    call_command("send_followup_reminders", stdout=out)
    assert "1 digest(s) sent" in out.getvalue() and len(mail.outbox) == 1

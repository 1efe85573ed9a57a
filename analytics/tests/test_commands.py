"""The cron and operator commands: rollups against a fixture of events, IP-range attribution,
retention, and the right to erasure."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.utils import timezone

from analytics.models import (
    CompanyDailyVisit,
    DailyMetric,
    ErasureRecord,
    Event,
    EventType,
    IpRange,
    PageDailyView,
    Visitor,
)
from analytics.services import EventInput, event_batch_record, website_create
from assessments.models import RoiCalculation
from chat.models import Conversation
from leads.models import Lead, LeadEvent
from leads.tests.factories import CompanyFactory, Fortune500CompanyFactory, LeadFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)


def at(hour: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def sites(db):
    return (
        website_create(name="Main", allowed_origins=["https://www.example.com"]),
        website_create(name="Blog", allowed_origins=["https://blog.example.com"]),
    )


@pytest.fixture
def day_of_traffic(sites):
    """Three visitors on the main site and one on the blog on DAY, one event the day after."""
    main, blog = sites
    f500 = Fortune500CompanyFactory()
    known = LeadFactory(email="lee@jpmorganchase.com", company=f500)
    Lead.objects.filter(pk=known.pk).update(created_at=at(9))
    visitors = [Visitor.objects.create(website=main, anonymous_id=f"visitor-{n:04d}") for n in range(3)]
    Visitor.objects.filter(pk=visitors[0].pk).update(lead=known)
    blog_visitor = Visitor.objects.create(website=blog, anonymous_id="visitor-blog")
    pv = EventType.PAGE_VIEW

    def event(visitor, kind, url, when):
        Event.objects.create(
            website=visitor.website, visitor=visitor, event_type=kind, url=url, occurred_at=when
        )

    event(visitors[0], pv, "https://www.example.com/", at(8))
    event(visitors[0], pv, "https://www.example.com/pricing?x=1", at(8))
    event(visitors[0], EventType.FORM_SUBMIT, "https://www.example.com/pricing", at(9))
    event(visitors[1], pv, "https://www.example.com/", at(10))
    event(visitors[2], pv, "https://www.example.com/pricing", at(23))
    event(blog_visitor, pv, "https://blog.example.com/post", at(12))
    event(visitors[1], pv, "https://www.example.com/", at(1, DAY + timedelta(days=1)))
    return main, blog, f500


def test_rollup_fills_daily_metrics_company_visits_and_top_pages(day_of_traffic) -> None:
    main, blog, f500 = day_of_traffic
    output = run("rollup_analytics", "--date", DAY.isoformat())
    assert f"{DAY}: 4 visitors, 5 page views, 1 leads, 1 Fortune 500 visitors" in output

    total = DailyMetric.objects.get(date=DAY, website=None)
    assert (total.visitors, total.page_views, total.leads, total.fortune_500_visitors) == (4, 5, 1, 1)
    assert total.conversion_rate == Decimal("0.2500")
    site = DailyMetric.objects.get(date=DAY, website=main)
    assert (site.visitors, site.page_views, site.fortune_500_visitors) == (3, 4, 1)
    assert DailyMetric.objects.get(date=DAY, website=blog).page_views == 1

    visit = CompanyDailyVisit.objects.get(date=DAY)
    assert (visit.company, visit.visitors, visit.page_views) == (f500, 1, 2)
    pages = dict(PageDailyView.objects.filter(date=DAY).values_list("path", "views"))
    assert pages == {"/": 2, "/pricing": 2, "/post": 1}


def test_rollup_is_idempotent(day_of_traffic) -> None:
    run("rollup_analytics", "--date", DAY.isoformat())
    run("rollup_analytics", "--date", DAY.isoformat())
    assert DailyMetric.objects.filter(date=DAY).count() == 3
    assert CompanyDailyVisit.objects.filter(date=DAY).count() == 1
    assert PageDailyView.objects.filter(date=DAY).count() == 3


def test_rollup_rejects_a_bad_date(db) -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("rollup_analytics", "--date", "yesterday")


def test_imported_ip_ranges_attribute_anonymous_visits_to_companies(sites, tmp_path) -> None:
    main, _ = sites
    company = CompanyFactory(domain="acme-corp.example", name="Acme")
    ranges = tmp_path / "ranges.csv"
    ranges.write_text(
        "cidr,domain\n198.51.100.0/24,acme-corp.example\n2001:db8:1::/48,newco.example\nnot-a-net,x.example\n"
    )
    output = run("import_ip_ranges", str(ranges))
    assert "2 range(s) added, 0 updated, 1 error(s)" in output and "Line 3" in output
    assert IpRange.objects.count() == 2

    event_batch_record(
        website=main,
        anonymous_id="visitor-acme",
        events=[EventInput(event_type="page_view")],
        ip="198.51.100.23",
    )
    event_batch_record(
        website=main,
        anonymous_id="visitor-newco",
        events=[EventInput(event_type="page_view")],
        ip="2001:db8:1:0:1234::5",
    )
    event_batch_record(
        website=main,
        anonymous_id="visitor-other",
        events=[EventInput(event_type="page_view")],
        ip="192.0.2.5",
    )
    assert Visitor.objects.get(anonymous_id="visitor-acme").company == company
    assert Visitor.objects.get(anonymous_id="visitor-newco").company.domain == "newco.example"
    assert Visitor.objects.get(anonymous_id="visitor-other").company is None
    assert "0 range(s) added, 2 updated" in run("import_ip_ranges", str(ranges))


def test_purge_events_deletes_only_old_raw_events(day_of_traffic) -> None:
    Event.objects.filter(occurred_at__gte=at(0, DAY + timedelta(days=1))).update(occurred_at=timezone.now())
    run("rollup_analytics", "--date", DAY.isoformat())
    output = run("purge_events", "--older-than", "1")
    assert "Deleted 6 event(s)" in output
    assert Event.objects.count() == 1
    assert DailyMetric.objects.filter(date=DAY).exists()  # rollups stay
    with pytest.raises(CommandError, match="at least one day"):
        run("purge_events", "--older-than", "0")


def test_purge_also_removes_anonymous_visitors_not_seen_since_and_keeps_what_is_still_needed(sites) -> None:
    main, _ = sites
    long_ago = timezone.now() - timedelta(days=40)

    def visitor(name: str, **fields) -> Visitor:
        return Visitor.objects.create(
            website=main,
            anonymous_id=name,
            first_seen_at=long_ago,
            last_seen_at=long_ago,
            first_touch={"landing_url": "https://www.example.com/?utm_source=x", "referrer": "https://t.co/"},
            **fields,
        )

    gone = visitor("old-anonymous")
    Event.objects.create(website=main, visitor=gone, event_type=EventType.PAGE_VIEW, occurred_at=long_ago)
    chatted = visitor("old-chat")
    chat = Conversation.objects.create(website=main, visitor=chatted, token_hash="2" * 64)
    stitched = visitor("old-stitched", lead=LeadFactory())
    first_seen_as = visitor("old-first-seen-as")
    LeadFactory(visitor=first_seen_as)
    calculated = visitor("old-roi")
    RoiCalculation.objects.create(visitor=calculated, inputs={}, outputs={})
    recent = Visitor.objects.create(website=main, anonymous_id="recent")

    output = run("purge_events", "--older-than", "30")

    assert "Deleted 1 event(s) older than 30 day(s) and 2 anonymous visitor(s) not seen since." in output
    assert set(Visitor.objects.values_list("anonymous_id", flat=True)) == {
        stitched.anonymous_id,
        first_seen_as.anonymous_id,
        calculated.anonymous_id,
        recent.anonymous_id,
    }
    chat.refresh_from_db()
    assert chat.visitor is None  # the transcript stays; only the browser link goes
    assert RoiCalculation.objects.filter(visitor=calculated).exists()


def test_forget_person_erases_the_lead_and_everything_linked(sites) -> None:
    main, _ = sites
    lead = LeadFactory(email="Erase.Me@acme-corp.example")
    lead.first_name = "Changed"
    lead.save()  # a change history entry that names the person
    other = LeadFactory(email="keep@acme-corp.example")
    visitor = Visitor.objects.create(website=main, anonymous_id="visitor-erase", lead=lead)
    Event.objects.create(website=main, visitor=visitor, event_type=EventType.PAGE_VIEW)
    Conversation.objects.create(website=main, visitor=visitor, lead=lead, token_hash="1" * 64)
    RoiCalculation.objects.create(visitor=visitor, inputs={}, outputs={})
    assert LogEntry.objects.get_for_object(lead).exists()

    output = run("forget_person", "erase.me@ACME-corp.example")
    assert "Erased:" in output and "1 leads" in output

    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert not Visitor.objects.filter(pk=visitor.pk).exists()
    assert not Event.objects.exists() and not Conversation.objects.exists()
    assert not RoiCalculation.objects.exists()
    assert not LeadEvent.objects.filter(lead_id=lead.pk).exists()
    assert not LogEntry.objects.get_for_object(lead).exists()
    assert Lead.objects.filter(pk=other.pk).exists()
    record = ErasureRecord.objects.get()
    assert record.deleted["events"] == 1 and record.deleted["conversations"] == 1
    assert "erase.me" not in str(record.__dict__).lower()  # only a hash is kept

    assert "No lead with that e-mail" in run("forget_person", "nobody@example.com")
    assert ErasureRecord.objects.count() == 2

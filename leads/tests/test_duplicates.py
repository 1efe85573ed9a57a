"""Likely duplicates: matching keys, detection and flagging, the admin list, merge (dry run and
real), scoping, and the admin pages.

The admin pages are tested through a throwaway AdminSite that this module also routes
(`@pytest.mark.urls(__name__)`), so they are exercised with real requests, sessions, CSRF-free
test clients and messages before the lead admin adopts the mixin.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils import timezone
from unfold.admin import ModelAdmin
from unfold.sites import UnfoldAdminSite

from analytics.models import Event, EventType, Visitor, Website
from assessments.models import MonitoredTarget, RoiCalculation, SecurityAssessment
from chat.models import Conversation
from leads.admin_duplicates import LeadDuplicatesAdminMixin
from leads.duplicates import (
    REASON_EMAIL,
    REASON_NAME,
    REASON_PHONE,
    DuplicateIndex,
    duplicate_groups,
    lead_find_duplicates,
    lead_flag_duplicates,
    lead_merge,
    lead_merge_plan,
    matching_email_key,
    name_key,
    normalise_phone,
    phone_match_key,
)
from leads.models import Lead, LeadEvent, LeadEventKind, LeadNote, LeadStatus
from leads.selectors import lead_queryset_for_user
from leads.tests.factories import CompanyFactory, LeadFactory, LeadNoteFactory, UserFactory
from partners.models import Commission, Partner

# --- A throwaway admin site with the mixin, routed by this module ------------------------------

# The project's admin templates are unfold's, which need unfold's site (its search URL etc.).
site = UnfoldAdminSite(name="dup_test")


class LeadTestAdmin(LeadDuplicatesAdminMixin, ModelAdmin):
    list_display = ("email", "owner")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Lead]:
        return lead_queryset_for_user(user=request.user, queryset=super().get_queryset(request))


site.register(Lead, LeadTestAdmin)
# The project's admin is routed too: the sidebar drawn on every admin page links to its pages.
urlpatterns = [path("dup-admin/", site.urls), path("admin/", admin.site.urls)]

use_test_site = pytest.mark.urls(__name__)


def url(name: str, *args: object) -> str:
    return reverse(f"dup_test:leads_lead_{name}", args=args)


def make_lead(**kwargs: object) -> Lead:
    kwargs.setdefault("company", None)
    kwargs.setdefault("phone", "")
    return LeadFactory(**kwargs)


def ago(days: int) -> timezone.datetime:
    return timezone.now() - timedelta(days=days)


# --- Keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("Jane.Doe@Gmail.com", "janedoe@gmail.com"),
        ("j.a.n.e.doe+demo@gmail.com", "janedoe@gmail.com"),
        ("janedoe@googlemail.com", "janedoe@gmail.com"),
        ("jane.doe+crm@outlook.com", "jane.doe@outlook.com"),
        ("jane.doe@outlook.com", "jane.doe@outlook.com"),  # dots matter outside Gmail
        ("Jane.Doe+x@HOTMAIL.com", "jane.doe@hotmail.com"),
        ("jane+newsletter@icloud.com", "jane@icloud.com"),
        ("jane.doe+2@yahoo.com", "jane.doe@yahoo.com"),
        ("Jane.Doe+events@JPMorganChase.com", "jane.doe@jpmorganchase.com"),  # corporate: plus only
        ("+only@example.com", "+only@example.com"),
        ("  Padded@Example.COM ", "padded@example.com"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_matching_email_key(email: str, key: str) -> None:
    assert matching_email_key(email) == key


@pytest.mark.parametrize(
    ("raw", "normalised", "key"),
    [
        ("+1 (212) 555-0100", "+12125550100", "2125550100"),
        ("212.555.0100", "2125550100", "2125550100"),
        ("001 212 555 0100", "+12125550100", "2125550100"),
        ("(212) 555-0100 ext. 42", "2125550100", "2125550100"),
        ("212-555-0100 x42", "2125550100", "2125550100"),
        ("+44 20 7946 0958", "+442079460958", "2079460958"),
        ("020 7946 0958", "02079460958", "2079460958"),
        ("555-01", "55501", ""),  # too short to mean anything
        ("n/a", "", ""),
        ("", "", ""),
    ],
)
def test_phone_normalisation(raw: str, normalised: str, key: str) -> None:
    assert normalise_phone(raw) == normalised
    assert phone_match_key(raw) == key


def test_name_key_folds_case_accents_and_spaces_and_needs_both_names() -> None:
    assert name_key("José", "Álvarez") == name_key(" jose ", "ALVAREZ") == "jose alvarez"
    assert name_key("José", "") == ""


# --- Detection and flagging ------------------------------------------------------------------------


@pytest.mark.django_db
def test_find_duplicates_reasons() -> None:
    acme = CompanyFactory(domain="acme.example")
    lead = make_lead(
        email="jane.doe+demo@gmail.com",
        phone="+1 212 555 0100",
        first_name="José",
        last_name="Doe",
        company=acme,
    )
    same_mailbox = make_lead(email="JaneDoe@googlemail.com", first_name="", last_name="")
    same_phone = make_lead(email="jd@other.example", phone="(212) 555-0100")
    same_name = make_lead(email="jose.doe@acme.example", first_name="Jose", last_name="DOE", company=acme)
    # Not duplicates: same name elsewhere, same local part on another domain, a colleague.
    make_lead(email="jose@elsewhere.example", first_name="José", last_name="Doe", company=CompanyFactory())
    make_lead(email="janedoe@yahoo.com")
    make_lead(email="bob@acme.example", first_name="Bob", last_name="Doe", company=acme)

    matches = {match.other.pk: match.reasons for match in lead_find_duplicates(lead=lead)}

    assert matches == {
        same_mailbox.pk: (REASON_EMAIL,),
        same_phone.pk: (REASON_PHONE,),
        same_name.pk: (REASON_NAME,),
    }


@pytest.mark.django_db
def test_find_duplicates_combines_reasons_and_matches_typed_company_names() -> None:
    lead = make_lead(
        email="a.b@x.example", phone="2125550100", first_name="Ann", last_name="Lee", company_name="Acme Inc"
    )
    twin = make_lead(
        email="a.b+1@x.example",
        phone="+1 212-555-0100",
        first_name="ann",
        last_name="lee",
        company_name="ACME INC",
    )

    [match] = lead_find_duplicates(lead=lead)

    assert match.other == twin
    assert match.reasons == (REASON_EMAIL, REASON_PHONE, REASON_NAME)
    assert match.reason == "same e-mail, same phone, same name at same company"


@pytest.mark.django_db
def test_find_duplicates_query_count(django_assert_num_queries) -> None:
    """One query for the candidates' columns, one to load the matches (skipped when none)."""
    lead = make_lead(
        email="jane@gmail.com", phone="2125550100", first_name="Jane", last_name="Doe", company_name="X"
    )
    loner = make_lead(email="loner@example.com", phone="999 888 7777")
    for n in range(5):
        make_lead(email=f"j.ane+{n}@gmail.com")
    with django_assert_num_queries(2):
        assert len(lead_find_duplicates(lead=lead)) == 5
    with django_assert_num_queries(1):
        assert lead_find_duplicates(lead=loner) == []


@pytest.mark.django_db
def test_flag_duplicates_records_once_per_pair() -> None:
    first = make_lead(email="jane.doe@gmail.com")
    second = make_lead(email="janedoe+crm@gmail.com")

    matches = lead_flag_duplicates(lead=second, actor_label="import")
    lead_flag_duplicates(lead=second)  # again: nothing new
    lead_flag_duplicates(lead=first)  # from the other side: the pair is known

    assert [match.other for match in matches] == [first]
    flags = LeadEvent.objects.filter(data__possible_duplicate=True)
    assert flags.count() == 1
    flag = flags.get()
    assert flag.lead == second
    assert flag.kind == LeadEventKind.UPDATED
    assert flag.summary == "Possible duplicate of jane.doe@gmail.com (same e-mail)"
    assert flag.actor_label == "import"
    assert flag.data["duplicate_of"] == str(first.pk)


@pytest.mark.django_db
def test_flag_duplicates_with_an_index_for_bulk_imports(django_assert_num_queries) -> None:
    """An import builds one index, then each row costs no query unless it matches."""
    existing = make_lead(email="jane.doe@gmail.com")
    index = DuplicateIndex.build()
    first = make_lead(email="unique@example.com", phone="212 555 0100")
    with django_assert_num_queries(0):
        assert lead_flag_duplicates(lead=first, index=index) == []
    index.add_lead(first)

    second = make_lead(email="janedoe+x@gmail.com", phone="+1 212-555-0100")
    matches = lead_flag_duplicates(lead=second, index=index)

    assert {(match.other.pk, match.reasons) for match in matches} == {
        (existing.pk, (REASON_EMAIL,)),
        (first.pk, (REASON_PHONE,)),  # a lead added earlier in the same import
    }
    assert LeadEvent.objects.filter(lead=second, data__possible_duplicate=True).count() == 2
    # The index and the per-lead query agree.
    assert {m.other.pk for m in lead_find_duplicates(lead=second)} == {existing.pk, first.pk}


@pytest.mark.django_db
def test_flag_duplicates_without_matches_writes_nothing() -> None:
    lead = make_lead(email="unique@example.com")
    assert lead_flag_duplicates(lead=lead) == []
    assert not LeadEvent.objects.exists()


# --- The admin's list -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_duplicate_groups_join_evidence_and_are_scoped(sales_rep, other_rep, sales_manager) -> None:
    a = make_lead(email="jane.doe@gmail.com", owner=sales_rep, created_at=ago(3))
    b = make_lead(email="janedoe@gmail.com", phone="212 555 0100", created_at=ago(2))  # unassigned
    c = make_lead(email="jd@work.example", phone="+1 (212) 555-0100", owner=other_rep, created_at=ago(1))
    make_lead(email="alone@example.com")
    d = make_lead(email="pat@x.example", first_name="Pat", last_name="Kim", company_name="X", owner=other_rep)
    e = make_lead(
        email="pat.kim@x.example", first_name="Pat", last_name="Kim", company_name="x", owner=other_rep
    )

    manager_groups = duplicate_groups(user=sales_manager)
    rep_groups = duplicate_groups(user=sales_rep)

    assert [(group.leads, group.reasons) for group in manager_groups] == [
        ([d, e], (REASON_NAME,)),  # newest first
        ([a, b, c], (REASON_EMAIL, REASON_PHONE)),
    ]
    # The rep sees own + unassigned only: c and d/e belong to another rep.
    assert [(group.leads, group.reasons) for group in rep_groups] == [([a, b], (REASON_EMAIL,))]


@pytest.mark.django_db
def test_duplicate_groups_limit(sales_manager) -> None:
    for n in range(3):
        make_lead(email=f"p{n}@gmail.com")
        make_lead(email=f"p{n}+x@gmail.com")
    assert len(duplicate_groups(user=sales_manager)) == 3
    assert len(duplicate_groups(user=sales_manager, limit=2)) == 2


# --- Merge ------------------------------------------------------------------------------------------


@pytest.fixture
def website(db) -> Website:
    return Website.objects.create(name="www", publishable_key="pk_test_dup", allowed_origins=[])


@pytest.fixture
def partner(db) -> Partner:
    return Partner.objects.create(name="Acme Partners", referral_code="ACME-1")


def commission(lead: Lead, partner: Partner) -> Commission:
    return Commission.objects.create(
        partner=partner, lead=lead, deal_value=Decimal(1000), rate=Decimal("0.1"), amount=Decimal(100)
    )


def give_everything(lead: Lead, website: Website, author) -> None:
    """One row of every kind that belongs to a lead."""
    LeadEvent.objects.create(lead=lead, kind=LeadEventKind.SUBMITTED, summary="Submitted")
    LeadNoteFactory(lead=lead, author=author)
    Conversation.objects.create(lead=lead)
    SecurityAssessment.objects.create(lead=lead, target_url="https://example.com/")
    RoiCalculation.objects.create(lead=lead, inputs={}, outputs={})
    visitor = Visitor.objects.create(website=website, anonymous_id=f"anon-{lead.pk}", lead=lead)
    Event.objects.create(website=website, visitor=visitor, event_type=EventType.PAGE_VIEW)


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Lead,
            LeadEvent,
            LeadNote,
            Conversation,
            SecurityAssessment,
            RoiCalculation,
            Visitor,
            Event,
            Commission,
        )
    }


@pytest.fixture
def pair(sales_manager, website, partner):
    """An older lead with sparse details and a newer one that knows more, each with history."""
    acme = CompanyFactory(domain="acme.example", name="Acme")
    old = make_lead(
        email="jane.doe@gmail.com",
        first_name="Jane",
        last_name="",
        job_title="Engineer",
        phone="",
        created_at=ago(30),
        status=LeadStatus.CONTACTED,
        utm_source="google",
        owner=sales_manager,
    )
    new = make_lead(
        email="janedoe+demo@gmail.com",
        first_name="Janet",
        last_name="Doe",
        job_title="",
        phone="212 555 0100",
        company=acme,
        created_at=ago(1),
        utm_source="linkedin",
        consent_marketing=True,
        consent_marketing_at=ago(1),
    )
    give_everything(old, website, sales_manager)
    give_everything(new, website, sales_manager)
    commission(new, partner)
    MonitoredTarget.objects.create(lead=new, host="www.acme.example", target_url="https://www.acme.example/")
    return old, new


@pytest.mark.django_db
def test_merge_plan_is_a_dry_run(pair) -> None:
    old, new = pair
    before = table_counts()

    plan = lead_merge_plan(keep=old, others=[new])

    assert table_counts() == before
    assert plan.can_merge
    fields = {change.name: change for change in plan.fields}
    # Profile fields: the newest lead's non-empty value wins; empty values never overwrite.
    assert (fields["first_name"].current, fields["first_name"].new) == ("Jane", "Janet")
    assert fields["first_name"].source == new.email
    assert (fields["last_name"].new, fields["phone"].new, fields["company"].new) == (
        "Doe",
        "212 555 0100",
        "Acme",
    )
    assert fields["job_title"].new == "Engineer" and not fields["job_title"].changes
    # First touch keeps its campaign; consent given by either lead is kept.
    assert fields["utm_source"].new == "google" and not fields["utm_source"].changes
    assert fields["consent_marketing"].changes and fields["consent_marketing"].value is True
    assert plan.moves == {
        "timeline entries": 1,
        "notes": 1,
        "chat conversations": 1,
        "security assessments": 1,
        "watched targets": 1,
        "ROI calculations": 1,
        "website visitors": 1,
        "website events (with their visitors)": 1,
        "commissions": 1,
    }
    assert any("Status differs (New)" in warning for warning in plan.warnings)


@pytest.mark.django_db
def test_merge_moves_everything_keeps_newest_values_and_records_it(
    pair, sales_manager, django_capture_on_commit_callbacks
) -> None:
    old, new = pair
    other_ids = {
        "events": set(LeadEvent.objects.filter(lead=new).values_list("pk", flat=True)),
        "visitor": Visitor.objects.get(lead=new).pk,
    }

    with django_capture_on_commit_callbacks() as callbacks:
        plan = lead_merge(keep=old, others=[new], actor=sales_manager)

    assert len(callbacks) == 1  # the re-score, after commit
    assert not Lead.objects.filter(pk=new.pk).exists()
    old.refresh_from_db()
    assert (old.email, old.first_name, old.last_name, old.job_title, old.phone) == (
        "jane.doe@gmail.com",
        "Janet",
        "Doe",
        "Engineer",
        "212 555 0100",
    )
    assert old.company.domain == "acme.example"
    assert old.status == LeadStatus.CONTACTED and old.owner == sales_manager
    assert old.consent_marketing and old.consent_marketing_at is not None
    for model in (LeadNote, Conversation, SecurityAssessment, RoiCalculation, Visitor):
        assert model.objects.filter(lead=old).count() == 2, model
    assert Event.objects.filter(visitor__lead=old).count() == 2
    assert Commission.objects.get().lead == old
    assert MonitoredTarget.objects.get().lead == old  # the watch (and its history) survives the merge
    assert other_ids["events"] <= set(old.events.values_list("pk", flat=True))
    assert Visitor.objects.get(pk=other_ids["visitor"]).lead == old
    merged = old.events.get(kind=LeadEventKind.MERGED)
    assert merged.summary == "Merged janedoe+demo@gmail.com into this lead"
    assert merged.actor == sales_manager
    assert merged.data["merged"] == [{"id": str(new.pk), "email": new.email}]
    assert merged.data["fields"]["first_name"] == {"from": "Jane", "to": "Janet", "source": new.email}
    assert merged.data["moved"]["notes"] == 1
    assert plan.keep == old


@pytest.mark.django_db
def test_merge_fills_survivor_visitor_and_owner_only_when_empty(
    sales_manager, sales_rep, other_rep, website
) -> None:
    keep = make_lead(email="a@x.example", created_at=ago(5), owner=None)
    other = make_lead(email="a+1@x.example", created_at=ago(1), owner=sales_rep)
    other.visitor = Visitor.objects.create(website=website, anonymous_id="v1", lead=other)
    other.save()
    lead_merge(keep=keep, others=[other], actor=sales_manager)
    keep.refresh_from_db()
    assert keep.owner == sales_rep
    assert keep.visitor.anonymous_id == "v1"

    # Two different owners: the survivor's stays, and the preview says so.
    mine = make_lead(email="b@x.example", owner=sales_rep)
    theirs = make_lead(email="b+1@x.example", owner=other_rep)
    plan = lead_merge_plan(keep=mine, others=[theirs])
    assert "Owner differs (rep2): the survivor keeps rep." in plan.warnings
    lead_merge(keep=mine, others=[theirs], actor=sales_manager)
    mine.refresh_from_db()
    assert mine.owner == sales_rep


@pytest.mark.django_db
def test_merge_refuses_self_merge(sales_manager) -> None:
    lead = make_lead(email="a@x.example")
    assert lead_merge_plan(keep=lead, others=[lead]).errors == ["A lead cannot be merged with itself."]
    with pytest.raises(ValidationError, match="itself"):
        lead_merge(keep=lead, others=[lead], actor=sales_manager)
    assert Lead.objects.filter(pk=lead.pk).exists()


@pytest.mark.django_db
def test_merge_refuses_two_commissions_and_changes_nothing(sales_manager, partner) -> None:
    a, b = make_lead(email="a@x.example"), make_lead(email="a+1@x.example")
    commission(a, partner)
    commission(b, partner)
    before = table_counts()

    assert "a lead can have only one" in lead_merge_plan(keep=a, others=[b]).errors[0]
    with pytest.raises(ValidationError, match="a lead can have only one"):
        lead_merge(keep=a, others=[b], actor=sales_manager)
    assert table_counts() == before


@pytest.mark.django_db
def test_rep_merges_own_and_unassigned_but_not_another_reps_lead(sales_rep, other_rep) -> None:
    mine = make_lead(email="a@x.example", owner=sales_rep)
    unassigned = make_lead(email="a+1@x.example")
    theirs = make_lead(email="a+2@x.example", owner=other_rep)

    with pytest.raises(ValidationError, match="not yours"):
        lead_merge(keep=mine, others=[theirs], actor=sales_rep)
    assert Lead.objects.filter(pk=theirs.pk).exists()

    lead_merge(keep=mine, others=[unassigned], actor=sales_rep)
    assert not Lead.objects.filter(pk=unassigned.pk).exists()


@pytest.mark.django_db
def test_merge_needs_change_permission() -> None:
    viewer = UserFactory(username="viewer")  # staff, no groups, no permissions
    a, b = make_lead(email="a@x.example"), make_lead(email="a+1@x.example")
    with pytest.raises(Exception, match="may not change leads"):
        lead_merge(keep=a, others=[b], actor=viewer)


# --- Admin pages -------------------------------------------------------------------------------------


@use_test_site
@pytest.mark.django_db
def test_duplicates_page_lists_groups_escaped_with_merge_links(manager_client) -> None:
    a = make_lead(email="x.y@gmail.com", first_name="<script>alert(1)</script>", last_name="Q")
    b = make_lead(email="xy+1@gmail.com")

    response = manager_client.get(url("duplicates"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "same e-mail" in html
    group = response.context["groups"][0]
    assert group["group"].leads == [a, b]
    assert group["merge_url"].startswith(url("merge") + "?ids=")


@use_test_site
@pytest.mark.django_db
def test_duplicates_page_query_count_does_not_grow(manager_client, django_assert_max_num_queries) -> None:
    def add_groups(count: int) -> None:
        for _ in range(count):
            owner = UserFactory()
            first = make_lead(owner=owner, company=CompanyFactory(), phone="")
            make_lead(email=first.email.replace("@", "+dup@"), owner=owner, company=CompanyFactory())

    add_groups(5)
    with django_assert_max_num_queries(8) as captured:
        response = manager_client.get(url("duplicates"))
    assert len(response.context["groups"]) == 5
    print(f"duplicates page: {len(captured)} queries")
    add_groups(25)
    with django_assert_max_num_queries(8):
        response = manager_client.get(url("duplicates"))
    assert len(response.context["groups"]) == 30


@use_test_site
@pytest.mark.django_db
def test_merge_preview_changes_nothing_and_confirm_merges(pair, manager_client) -> None:
    old, new = pair
    before = table_counts()
    preview_url = f"{url('merge')}?ids={new.pk},{old.pk}"

    response = manager_client.get(preview_url)

    assert response.status_code == 200
    assert table_counts() == before
    assert response.context["plan"].keep == old  # the oldest survives by default
    html = response.content.decode()
    assert "Confirm merge" in html and "Janet" in html and "Status differs" in html

    # Choosing the newer lead as survivor previews that instead.
    response = manager_client.get(f"{preview_url}&keep={new.pk}")
    assert response.context["plan"].keep == new

    response = manager_client.post(url("merge"), {"ids": f"{old.pk},{new.pk}", "keep": str(old.pk)})

    assert response.status_code == 302
    assert response.url == url("change", old.pk)
    assert not Lead.objects.filter(pk=new.pk).exists()
    assert Lead.objects.get(pk=old.pk).events.filter(kind=LeadEventKind.MERGED).count() == 1


@use_test_site
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Choose at least two leads"),
        ("?ids=not-a-uuid,also-bad", "is not a lead id"),
        ("?ids=00000000-0000-0000-0000-000000000001,00000000-0000-0000-0000-000000000002", "not yours"),
    ],
)
def test_merge_page_bad_input_is_a_clear_400(manager_client, query: str, message: str) -> None:
    make_lead(email="a@x.example")
    before = table_counts()
    response = manager_client.get(url("merge") + query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert table_counts() == before


@use_test_site
@pytest.mark.django_db
def test_merge_page_refuses_survivor_outside_selection_and_self_merge(manager_client) -> None:
    a, b, c = make_lead(email="a@x.example"), make_lead(email="a+1@x.example"), make_lead(email="c@x.example")
    response = manager_client.get(f"{url('merge')}?ids={a.pk},{b.pk}&keep={c.pk}")
    assert response.status_code == 400
    assert "must be one of the leads" in response.content.decode()

    response = manager_client.post(url("merge"), {"ids": f"{a.pk},{a.pk}", "keep": str(a.pk)})
    assert response.status_code == 400
    assert Lead.objects.count() == 3


@use_test_site
@pytest.mark.django_db
def test_merge_page_refusal_two_commissions_has_no_confirm_and_post_is_refused(
    manager_client, partner
) -> None:
    a, b = make_lead(email="a@x.example"), make_lead(email="a+1@x.example")
    commission(a, partner)
    commission(b, partner)
    response = manager_client.get(f"{url('merge')}?ids={a.pk},{b.pk}")
    assert response.status_code == 200
    assert "a lead can have only one" in response.content.decode()
    assert "Confirm merge" not in response.content.decode()

    response = manager_client.post(url("merge"), {"ids": f"{a.pk},{b.pk}", "keep": str(a.pk)})
    assert response.status_code == 400
    assert Lead.objects.count() == 2


@use_test_site
@pytest.mark.django_db
def test_rep_cannot_open_or_merge_another_reps_lead_by_url(rep_client, sales_rep, other_rep) -> None:
    mine = make_lead(email="a@x.example", owner=sales_rep)
    theirs = make_lead(email="a+1@x.example", owner=other_rep, first_name="Secret")

    response = rep_client.get(f"{url('merge')}?ids={mine.pk},{theirs.pk}")
    assert response.status_code == 400
    assert "Secret" not in response.content.decode() and theirs.email not in response.content.decode()

    response = rep_client.post(url("merge"), {"ids": f"{mine.pk},{theirs.pk}", "keep": str(mine.pk)})
    assert response.status_code == 400
    assert Lead.objects.count() == 2

    response = rep_client.get(url("duplicates"))
    assert response.status_code == 200 and response.context["groups"] == []


@use_test_site
@pytest.mark.django_db
def test_pages_need_change_permission(client) -> None:
    client.force_login(UserFactory(username="viewer"))
    assert client.get(url("duplicates")).status_code == 403
    assert client.get(url("merge")).status_code == 403


@use_test_site
@pytest.mark.django_db
def test_merge_action_opens_the_preview(manager_client) -> None:
    a, b = make_lead(email="a@x.example"), make_lead(email="a+1@x.example")
    changelist = url("changelist")

    response = manager_client.post(
        changelist, {"action": "merge_selected_leads", "_selected_action": [str(a.pk), str(b.pk)]}
    )

    assert response.status_code == 302
    assert response.url.startswith(url("merge") + "?ids=")
    assert Lead.objects.count() == 2
    preview = manager_client.get(response.url)
    assert preview.status_code == 200 and {lead.pk for lead in preview.context["leads"]} == {a.pk, b.pk}

    # One lead only: a warning, back to the list.
    response = manager_client.post(
        changelist, {"action": "merge_selected_leads", "_selected_action": [str(a.pk)]}, follow=True
    )
    assert "Select at least two leads to merge." in response.content.decode()

"""Lead scoring and deal-value estimation: the rules sales relies on, without a database.

The anchors come from the seed story: the Microsoft CISO who requests a demo scores 100 and is
worth about $5.0M; the JPMorgan VP of Security scores about 95 and is worth about $3.2M.
"""

from __future__ import annotations

import itertools
import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from leads.models import Seniority
from leads.scoring import (
    Activity,
    DealValueConfig,
    ScoreResult,
    ScoringConfig,
    ScoringInput,
    estimate_deal_value,
    is_security_role,
    parse_seniority,
    score_lead,
)
from leads.scoring.seniority import SecurityRelevance, analyse_title, security_relevance

NOW = datetime(2025, 10, 18, 15, 0, tzinfo=UTC)
C, VP, DIR, MGR, IND, UNK = (
    Seniority.C_LEVEL,
    Seniority.VP,
    Seniority.DIRECTOR,
    Seniority.MANAGER,
    Seniority.INDIVIDUAL,
    Seniority.UNKNOWN,
)


def ago(days: float = 0, kind: str = "demo_request") -> Activity:
    return Activity(kind=kind, occurred_at=NOW - timedelta(days=days))


def lead(**overrides: Any) -> ScoringInput:
    """A Fortune 500 (rank 14) CISO who requested a demo just now, unless told otherwise."""
    values: dict[str, Any] = {
        "job_title": "Chief Information Security Officer",
        "fortune_rank": 14,
        "employee_count": 228_000,
        "is_webmail": False,
        "is_disposable": False,
        "activities": [ago(0)],
        "now": NOW,
    }
    values.update(overrides)
    return ScoringInput(**values)


def score(config: ScoringConfig | None = None, **overrides: Any) -> ScoreResult:
    return score_lead(lead(**overrides), config or ScoringConfig())


def part(result: ScoreResult, section: str, factor: str) -> dict[str, Any]:
    [found] = [p for p in result.breakdown[section]["parts"] if p["factor"] == factor]
    return found


# --- Seniority ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CISO", C),
        ("ciso", C),
        ("C.I.S.O.", C),
        ("Chief Information Security Officer", C),
        ("chief information security officer (CISO)", C),
        ("CTO", C),
        ("CIO", C),
        ("CEO", C),
        ("Founder & CEO", C),
        ("Co-founder", C),
        ("Cofounder and CTO", C),
        ("President", C),
        ("President & CEO", C),
        ("Owner", C),
        ("Chairman of the Board", C),
        ("SVP & CISO", C),  # the chief title is the role, the VP rank is decoration
        ("Vice President", VP),
        ("Vice-President, Security", VP),
        ("VP", VP),
        ("VP of Security", VP),
        ("V.P. Security", VP),
        ("SVP", VP),
        ("EVP", VP),
        ("AVP", VP),
        ("Assistant Vice President", VP),
        ("Senior Vice President, Cyber Risk", VP),
        ("Head of Security", VP),
        ("Security Head", VP),
        ("Deputy CISO", VP),
        ("Director", DIR),
        ("Sr. Director", DIR),
        ("Sr. Dir., InfoSec", DIR),
        ("Managing Director", DIR),
        ("Executive Director", DIR),
        ("Art Director", DIR),
        ("International Sales Director", DIR),  # "intern" inside "international" is not an intern
        ("Director, Office of the CISO", DIR),  # the CISO is someone else
        ("General Manager", DIR),
        ("Chief of Staff to the CTO", DIR),
        ("Manager", MGR),
        ("Security Manager", MGR),
        ("IT Mgr", MGR),
        ("Team Lead", MGR),
        ("Lead", MGR),
        ("Lead Security Engineer", MGR),
        ("Social Media Manager", MGR),
        ("Engineer", IND),
        ("Sr. Security Engineer", IND),
        ("Analyst", IND),
        ("SOC Analyst", IND),
        ("Architect", IND),
        ("Chief Architect", IND),  # a chief of nothing: an expert, not an officer
        ("Consultant", IND),
        ("Specialist", IND),
        ("Lead Generation Specialist", IND),  # marketing, not leadership
        ("Advisor", IND),  # no "vp" in it
        ("Account Executive", IND),
        ("Information Security Officer", IND),
        ("Assistant to the CEO", IND),
        ("Executive Assistant to the CEO", IND),
        ("Product Owner", IND),
        ("Student", IND),
        ("Intern", IND),
        ("Cybersecurity Intern, Office of the CEO", IND),
        ("", UNK),
        ("   ", UNK),
        ("Ninja", UNK),
        ("Microsoft MVP", UNK),  # an award, not a vice president
    ],
)
def test_parse_seniority(title: str, expected: Seniority) -> None:
    assert parse_seniority(title) == expected


@pytest.mark.parametrize(
    "title", ["Student", "Graduate Student", "Intern", "Security Intern", "Trainee", "Co-op"]
)
def test_students_and_interns_are_individuals_but_flagged(title: str) -> None:
    profile = analyse_title(title)
    assert profile.seniority == IND
    assert profile.is_trainee


@pytest.mark.parametrize("title", ["International Sales Director", "Internal Audit Manager", "Engineer"])
def test_lookalikes_are_not_flagged_as_trainees(title: str) -> None:
    assert not analyse_title(title).is_trainee


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CISO", SecurityRelevance.SECURITY),
        ("Chief Information Security Officer", SecurityRelevance.SECURITY),
        ("VP, Information Security", SecurityRelevance.SECURITY),
        ("InfoSec Manager", SecurityRelevance.SECURITY),
        ("Cybersecurity Analyst", SecurityRelevance.SECURITY),
        ("Director of Cyber Defense", SecurityRelevance.SECURITY),
        ("SOC Analyst", SecurityRelevance.SECURITY),
        ("Head of Risk", SecurityRelevance.SECURITY),
        ("Compliance Officer", SecurityRelevance.SECURITY),
        ("GRC Lead", SecurityRelevance.SECURITY),
        ("Privacy Counsel", SecurityRelevance.SECURITY),
        ("Penetration Tester", SecurityRelevance.SECURITY),
        ("AppSec Engineer", SecurityRelevance.SECURITY),
        ("CTO", SecurityRelevance.IT),
        ("Chief Information Officer", SecurityRelevance.IT),
        ("IT Director", SecurityRelevance.IT),
        ("Head of Infrastructure", SecurityRelevance.IT),
        ("Network Engineer", SecurityRelevance.IT),
        ("DevOps Lead", SecurityRelevance.IT),
        ("Systems Administrator", SecurityRelevance.IT),
        ("Art Director", SecurityRelevance.NONE),
        ("Securities Analyst", SecurityRelevance.NONE),  # finance, not security
        ("Social Media Manager", SecurityRelevance.NONE),  # "soc" is not inside "social"
        ("CEO", SecurityRelevance.NONE),
        ("Student", SecurityRelevance.NONE),
        ("", SecurityRelevance.NONE),
    ],
)
def test_security_relevance(title: str, expected: SecurityRelevance) -> None:
    assert security_relevance(title) == expected
    assert is_security_role(title) is (expected is SecurityRelevance.SECURITY)


# --- Anchors ---------------------------------------------------------------------------------------


def test_fortune_500_ciso_with_a_demo_request_now_scores_exactly_100() -> None:
    result = score()
    assert result.total == 100
    assert result.seniority == C
    assert result.breakdown["hot"] is True
    assert part(result, "fit", "fortune_500")["label"] == "Fortune 500 rank 14 (top 100)"


def test_demo_request_a_few_seconds_before_scoring_still_scores_100() -> None:
    assert score(activities=[Activity("demo_request", NOW - timedelta(seconds=30))]).total == 100


def test_fortune_500_vp_of_security_with_a_demo_request_scores_about_95() -> None:
    result = score(job_title="VP of Security", fortune_rank=11)
    assert 93 <= result.total <= 97
    assert result.seniority == VP


def test_gmail_student_newsletter_sign_up_scores_low() -> None:
    result = score(
        job_title="Student",
        fortune_rank=None,
        employee_count=None,
        is_webmail=True,
        activities=[ago(0, "newsletter")],
    )
    assert result.total <= 15
    assert result.breakdown["hot"] is False
    assert {"webmail", "student_or_intern"} <= set(result.breakdown["flags"])
    assert part(result, "fit", "company")["points"] == 0


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"job_title": "CTO", "fortune_rank": None, "employee_count": None},
        {"job_title": "Student", "fortune_rank": None, "employee_count": None, "activities": []},
    ],
)
def test_disposable_address_scores_lower_and_is_flagged(overrides: dict[str, Any]) -> None:
    clean = score(**overrides)
    disposable = score(is_disposable=True, **overrides)
    assert disposable.total < clean.total or clean.total == 0
    assert "disposable_email" in disposable.breakdown["flags"]
    assert "disposable_email" not in clean.breakdown["flags"]
    assert part(disposable, "penalties", "disposable_email")["points"] < 0


def test_disposable_cto_demo_request_is_not_hot() -> None:
    result = score(job_title="CTO", fortune_rank=None, employee_count=None, is_disposable=True)
    assert result.total < ScoringConfig().hot_threshold


# --- Orderings -------------------------------------------------------------------------------------

SENIORITY_LADDER = ["CISO", "VP of Security", "Director of Security", "Security Manager", "Security Engineer"]


@pytest.mark.parametrize(
    "fortune_rank, employee_count", [(14, 228_000), (None, 500), (None, 20), (None, None)]
)
@pytest.mark.parametrize("activities", [[], [ago(0)], [ago(10, "page_view"), ago(40, "newsletter")]])
@pytest.mark.parametrize("higher, lower", list(itertools.pairwise(SENIORITY_LADDER)))
def test_more_senior_titles_score_higher(
    higher: str, lower: str, fortune_rank: int | None, employee_count: int | None, activities: list[Activity]
) -> None:
    common = {"fortune_rank": fortune_rank, "employee_count": employee_count, "activities": activities}
    assert score(job_title=higher, **common).total > score(job_title=lower, **common).total


@pytest.mark.parametrize("title", ["CISO", "Art Director", "IT Manager", "Student", ""])
@pytest.mark.parametrize("activities", [[], [ago(3, "contact")], [ago(0, "newsletter")]])
def test_bigger_companies_score_higher(title: str, activities: list[Activity]) -> None:
    fortune = score(job_title=title, fortune_rank=450, employee_count=None, activities=activities).total
    enterprise = score(job_title=title, fortune_rank=None, employee_count=50_000, activities=activities).total
    mid = score(job_title=title, fortune_rank=None, employee_count=500, activities=activities).total
    small = score(job_title=title, fortune_rank=None, employee_count=20, activities=activities).total
    unknown = score(job_title=title, fortune_rank=None, employee_count=None, activities=activities).total
    assert fortune > enterprise > mid > small > unknown


def test_higher_fortune_tiers_score_higher() -> None:
    points = [
        part(score(fortune_rank=rank), "fit", "fortune_500")["points"]
        for rank in (1, 100, 101, 250, 251, 500)
    ]
    assert points[0] == points[1] > points[2] == points[3] > points[4] == points[5]


@pytest.mark.parametrize(
    "kind", ["demo_request", "assessment", "chat", "roi_calculation", "contact", "page_view"]
)
@pytest.mark.parametrize("title", ["Security Engineer", "Student"])
def test_recent_activity_scores_at_least_as_much_as_old_activity(kind: str, title: str) -> None:
    common = {"job_title": title, "fortune_rank": None, "employee_count": 500}
    recent = score(activities=[ago(0, kind)], **common)
    old = score(activities=[ago(90, kind)], **common)
    assert recent.total >= old.total
    assert recent.breakdown["engagement"]["points"] > old.breakdown["engagement"]["points"]


def test_more_activity_never_lowers_the_score() -> None:
    rng = random.Random(20251018)
    kinds = [*ScoringConfig().activity_points, "import", "manual"]
    for _ in range(300):
        activities = [ago(rng.uniform(0, 200), rng.choice(kinds)) for _ in range(rng.randint(0, 12))]
        extra = ago(rng.uniform(0, 200), rng.choice(kinds))
        common = {
            "job_title": rng.choice([*SENIORITY_LADDER, "Student", "CTO", ""]),
            "fortune_rank": rng.choice([None, 14, 300]),
            "employee_count": rng.choice([None, 20, 500, 5_000]),
            "is_disposable": rng.random() < 0.2,
        }
        before = score(activities=activities, **common)
        after = score(activities=[*activities, extra], **common)
        assert after.total >= before.total, (common, activities, extra)
        assert after.breakdown["engagement"]["points"] >= before.breakdown["engagement"]["points"]


def test_activity_kinds_rank_demo_request_highest_and_newsletter_low() -> None:
    def engagement(kind: str) -> int:
        return score(activities=[ago(0, kind)]).breakdown["engagement"]["points"]

    assert engagement("demo_request") > engagement("assessment") > engagement("chat")
    assert engagement("chat") > engagement("contact") > engagement("newsletter") > engagement("page_view") > 0


def test_a_deal_registered_by_a_partner_counts_like_an_assessment_and_says_so() -> None:
    result = score(activities=[ago(0, "partner")])
    assert (
        result.breakdown["engagement"]["points"]
        == score(activities=[ago(0, "assessment")]).breakdown["engagement"]["points"]
    )
    assert part(result, "engagement", "partner")["label"].startswith("Deal registered by a partner")


# --- Decay and caps --------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "points"), [(0, 40), (30, 20), (60, 10), (90, 5), (365, 0)])
def test_activity_points_halve_every_half_life(days: int, points: int) -> None:
    result = score(activities=[ago(days)])
    assert part(result, "engagement", "demo_request")["points"] == points


def test_decayed_part_says_why_it_is_worth_less() -> None:
    label = part(score(activities=[ago(30)]), "engagement", "demo_request")["label"]
    assert "30 days ago" in label and "20 of 40" in label and "half-life" in label


def test_activity_in_the_future_counts_as_now() -> None:
    result = score(activities=[Activity("demo_request", NOW + timedelta(hours=2))])
    assert part(result, "engagement", "demo_request")["points"] == 40


def test_page_views_are_capped() -> None:
    result = score(job_title="Engineer", activities=[ago(0, "page_view") for _ in range(50)])
    page_views = part(result, "engagement", "page_view")
    assert page_views["points"] == 10
    assert "50 pages" in page_views["label"] and "capped" in page_views["label"]


def test_engagement_is_capped_and_the_cap_shows_as_a_part() -> None:
    result = score(activities=[ago(0), ago(1, "assessment"), ago(2, "chat"), ago(0, "roi_calculation")])
    engagement = result.breakdown["engagement"]
    assert engagement["points"] == 40
    earned = {p["factor"]: p["points"] for p in engagement["parts"]}
    assert earned.pop("engagement_cap") == 40 - sum(earned.values()) < 0
    assert earned == {"demo_request": 40, "assessment": 29, "chat": 19, "roi_calculation": 15}


def test_unknown_activity_kinds_are_ignored() -> None:
    result = score(activities=[ago(0, "import"), ago(0, "manual"), ago(0, "")])
    assert result.breakdown["engagement"] == {"points": 0, "parts": []}


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        score(now=NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="timezone-aware"):
        score(activities=[Activity("demo_request", NOW.replace(tzinfo=None))])


# --- Breakdown -------------------------------------------------------------------------------------

SAMPLES = {
    "f500_ciso_demo": {},
    "f500_vp_demo": {"job_title": "VP of Security", "fortune_rank": 11},
    "f500_director_contact": {
        "job_title": "Director of IT",
        "fortune_rank": 320,
        "activities": [ago(5, "contact")],
    },
    "mid_manager_contact": {
        "job_title": "Security Manager",
        "fortune_rank": None,
        "employee_count": 500,
        "activities": [ago(0, "contact")],
    },
    "gmail_student_newsletter": {
        "job_title": "Student",
        "fortune_rank": None,
        "employee_count": None,
        "is_webmail": True,
        "activities": [ago(0, "newsletter")],
    },
    "disposable_nothing": {
        "job_title": "",
        "fortune_rank": None,
        "employee_count": None,
        "is_disposable": True,
        "activities": [],
    },
    "busy_ciso": {"activities": [ago(0), ago(0, "assessment"), *[ago(1, "page_view")] * 30]},
}


@pytest.mark.parametrize("overrides", SAMPLES.values(), ids=SAMPLES.keys())
def test_breakdown_explains_the_total(overrides: dict[str, Any]) -> None:
    result = score(**overrides)
    breakdown = result.breakdown
    assert json.loads(json.dumps(breakdown)) == breakdown
    assert breakdown["version"] == 1
    assert breakdown["total"] == result.total
    assert isinstance(result.total, int) and 0 <= result.total <= 100
    sections = [breakdown[name] for name in ("fit", "engagement", "penalties")]
    for section in sections:
        assert section["points"] == sum(p["points"] for p in section["parts"])
        for item in section["parts"]:
            assert set(item) == {"factor", "label", "points"}
            assert isinstance(item["factor"], str) and item["factor"]
            assert isinstance(item["label"], str) and len(item["label"]) > 5
            assert type(item["points"]) is int
    assert breakdown["penalties"]["points"] <= 0
    assert breakdown["raw"] == sum(section["points"] for section in sections)
    assert breakdown["total"] == min(100, max(0, breakdown["raw"]))
    assert isinstance(breakdown["flags"], list)


def test_fit_parts_read_like_sentences() -> None:
    result = score(job_title="VP of Security", fortune_rank=11)
    labels = [p["label"] for p in result.breakdown["fit"]["parts"]]
    assert labels == [
        "Fortune 500 rank 11 (top 100)",
        "VP job title “VP of Security”",
        "Works in security, risk or compliance: the buyer",
    ]
    mid = score(job_title="Security Manager", fortune_rank=None, employee_count=500)
    assert part(mid, "fit", "company_size")["label"] == "Mid-size company (200–999 employees): 500"


def test_clamping_shows_as_raw_versus_total() -> None:
    generous = replace(ScoringConfig(), security_role_points=30)
    high = score(config=generous)
    assert high.breakdown["raw"] == 120 and high.total == 100
    low = score(**SAMPLES["disposable_nothing"])
    assert low.breakdown["raw"] == -30 and low.total == 0


# --- Configuration ---------------------------------------------------------------------------------


def test_settings_override_weights(settings) -> None:
    student = SAMPLES["gmail_student_newsletter"]
    before = score_lead(lead(**student))
    settings.LEAD_SCORING = {"activity_points": {"newsletter": 20}, "activity_caps": {"newsletter": 20}}
    config = ScoringConfig.from_settings()
    assert config.activity_points["newsletter"] == 20
    assert config.activity_points["demo_request"] == 40  # dicts are merged, not replaced
    assert score_lead(lead(**student), config).total == before.total + 15
    assert score_lead(lead(**student)).total == before.total + 15  # no config: settings apply


def test_settings_override_half_life_and_hot_threshold(settings) -> None:
    settings.LEAD_SCORING = {"half_life_days": 15, "hot_threshold": 90}
    result = score_lead(lead(job_title="VP of Security", activities=[ago(30)]))
    assert part(result, "engagement", "demo_request")["points"] == 10
    assert result.breakdown["hot_threshold"] == 90
    assert result.breakdown["hot"] is False


def test_settings_without_lead_scoring_give_defaults(settings) -> None:
    if hasattr(settings, "LEAD_SCORING"):
        del settings.LEAD_SCORING
    assert ScoringConfig.from_settings() == ScoringConfig()


@pytest.mark.parametrize(
    "bad",
    [{"half_lfe_days": 10}, {"size_points": 5}, {"half_life_days": 0}, {"fortune_points": {"top_1000": 5}}],
)
def test_bad_settings_fail_loudly(settings, bad: dict[str, Any]) -> None:
    settings.LEAD_SCORING = bad
    with pytest.raises(ImproperlyConfigured):
        ScoringConfig.from_settings()


# --- Deal value ------------------------------------------------------------------------------------


def deal(
    fortune_rank: int | None = None,
    employee_count: int | None = None,
    seniority: Seniority = C,
    config: DealValueConfig | None = None,
) -> Decimal:
    return estimate_deal_value(
        fortune_rank=fortune_rank,
        employee_count=employee_count,
        seniority=seniority,
        config=config or DealValueConfig(),
    )


def test_fortune_500_ciso_is_worth_about_five_million() -> None:
    value = deal(fortune_rank=3, employee_count=25_000, seniority=C)
    assert Decimal(4_500_000) <= value <= Decimal(5_500_000)
    assert value == Decimal(5_000_000)


def test_fortune_500_vp_security_is_worth_about_3_2_million() -> None:
    value = deal(fortune_rank=11, employee_count=300_000, seniority=VP)
    assert Decimal(2_800_000) <= value <= Decimal(3_600_000)
    assert value == Decimal(3_200_000)


def test_small_company_individual_is_worth_tens_of_thousands() -> None:
    assert Decimal(10_000) <= deal(employee_count=20, seniority=IND) < Decimal(100_000)


def test_unknown_company_gives_a_modest_default() -> None:
    assert Decimal(10_000) <= deal(seniority=UNK) <= deal(seniority=C) <= Decimal(100_000)


def test_deal_values_are_whole_dollars_and_never_negative() -> None:
    for rank in (None, 1, 150, 499, 0, 600):
        for size in (None, 0, 20, 500, 5_000, 50_000):
            for seniority in Seniority:
                value = deal(fortune_rank=rank, employee_count=size, seniority=seniority)
                assert value >= 0
                assert value == value.to_integral_value()
    negative = replace(DealValueConfig(), seniority_factor={"c_level": "-2"})
    assert deal(fortune_rank=1, seniority=C, config=negative) == 0


@pytest.mark.parametrize("higher, lower", list(itertools.pairwise([C, VP, DIR, MGR, IND, UNK])))
def test_deal_value_grows_with_seniority(higher: Seniority, lower: Seniority) -> None:
    assert deal(employee_count=500, seniority=higher) > deal(employee_count=500, seniority=lower)


def test_deal_value_grows_with_company_size() -> None:
    values = [
        deal(fortune_rank=50),
        deal(fortune_rank=200),
        deal(fortune_rank=400),
        deal(employee_count=25_000),
        deal(employee_count=5_000),
        deal(employee_count=500),
        deal(employee_count=20),
    ]
    assert values == sorted(values, reverse=True)
    assert len(set(values)) == len(values)


def test_deal_value_settings_override(settings) -> None:
    settings.DEAL_VALUE = {"size_base": {"mid": 200_000}, "seniority_factor": {"manager": "0.5"}}
    config = DealValueConfig.from_settings()
    assert deal(employee_count=500, seniority=MGR, config=config) == Decimal(100_000)
    assert estimate_deal_value(fortune_rank=None, employee_count=500, seniority=MGR) == Decimal(100_000)
    assert deal(fortune_rank=3, seniority=C, config=config) == Decimal(5_000_000)  # the rest stays


def test_deal_value_bad_settings_fail_loudly(settings) -> None:
    settings.DEAL_VALUE = {"sizebase": {}}
    with pytest.raises(ImproperlyConfigured):
        DealValueConfig.from_settings()

"""Lead score, 0–100: how well a lead fits (who they are) plus how engaged they are (what they did).

Why two halves: a Fortune 500 CISO who only read the newsletter and an unknown student who
requested three demos are both worth a look, for opposite reasons, and a sales rep must be able
to see which reason applies. Each half is a list of parts with a human label and points, stored
as `Lead.score_breakdown`, so the score is never a mystery number.

Fit (at most 60 points with the default weights):

* Company: a Fortune 500 rank tier (top 100: 30, 101–250: 27, 251–500: 24) or, for other
  companies, an employee-count band (enterprise 10,000+: 20, large 1,000–9,999: 14, mid-size
  200–999: 8, small 1–199: 3, unknown: 0). The rank wins when both are known: every Fortune 500
  company is an enterprise, and the rank also says how big a budget it has.
  A personal (webmail) address with no company on file earns no company points: a Gmail
  address says nothing about an employer.
* Seniority of the job title: C-level 20, VP 15, director 11, manager 7, individual 3,
  unknown 0 (see `leads.scoring.seniority` for how titles are read).
* Role: +10 for a security role (the buyer), +5 for an IT/infrastructure role (an influencer).
  Students and interns get no role bonus: a cybersecurity student does not buy scanners.

Engagement (at most 40 points): each activity is worth points by kind (demo request 40,
assessment 30, deal registered by a partner 30, chat 20, ROI calculation 15, contact form 15,
newsletter 5, page view 1), halved
for every `half_life_days` (30) of age, because interest fades: a demo request last week is a
hotter lead than one last quarter. Repeats add up, with per-kind caps (page views 10, newsletter
5, chat 25, contact 20, ROI 20, partner 30) so that browsing alone cannot make a lead hot, and the whole half
is capped. Unknown activity kinds (imports, manual entries) are not engagement and are ignored.

Penalties: a disposable (throw-away) e-mail address costs 30 points and is flagged: such people
rarely want to be contacted.

The anchors (tested): a Fortune 500 rank 14 CISO who requests a demo now scores 30 + 20 + 10 + 40
= 100; a Fortune 500 rank 11 VP of Security with a demo request scores 95; a Gmail student who
signs up for the newsletter scores 3 + 5 = 8.

Breakdown (JSON, `version` 1)::

    {"version": 1, "total": 95, "raw": 95, "hot": true, "hot_threshold": 80,
     "fit": {"points": 55, "parts": [{"factor": "fortune_500", "label": "...", "points": 30}, ...]},
     "engagement": {"points": 40, "parts": [...]},
     "penalties": {"points": 0, "parts": []},
     "flags": []}

In every section `points == sum(part["points"] for part in parts)` (a cap shows as its own
negative part), `raw == fit + engagement + penalties` (penalties are negative), and
`total == min(100, max(0, raw))`: clamping is the only step between `raw` and `total`.

Every weight, band, cap and the hot threshold live in `ScoringConfig`;
`ScoringConfig.from_settings()` applies `settings.LEAD_SCORING` overrides (a dict whose keys are
the field names; dict fields are merged key by key), so sales ops can re-weight without a deploy
of new code, e.g. ``LEAD_SCORING = {"half_life_days": 14, "activity_points": {"chat": 25}}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured

from leads.models import Seniority

from .seniority import SecurityRelevance, TitleProfile, analyse_title

__all__ = [
    "BREAKDOWN_VERSION",
    "Activity",
    "ScoreResult",
    "ScoringConfig",
    "ScoringInput",
    "fortune_tier",
    "score_lead",
    "setting_dict",
    "size_band",
]

BREAKDOWN_VERSION = 1
MAX_SCORE = 100

_Config = TypeVar("_Config")


@dataclass(frozen=True)
class Activity:
    """One thing the lead did, e.g. `Activity("demo_request", occurred_at=...)`.

    Kinds that score by default: demo_request, assessment, partner, chat, roi_calculation,
    contact, page_view, newsletter. `occurred_at` must be timezone-aware.
    """

    kind: str
    occurred_at: datetime


@dataclass(frozen=True)
class ScoringInput:
    """Everything the score depends on, as plain values, so scoring needs no database."""

    job_title: str
    fortune_rank: int | None
    employee_count: int | None
    is_webmail: bool
    is_disposable: bool
    activities: Sequence[Activity]
    now: datetime


@dataclass(frozen=True)
class ScoreResult:
    """The score (0–100), the seniority read from the title, and the JSON breakdown."""

    total: int
    seniority: Seniority
    breakdown: dict[str, Any]


def _default(mapping: Mapping[str, Any]) -> Any:
    return field(default_factory=lambda: dict(mapping))


@dataclass(frozen=True)
class ScoringConfig:
    """All the numbers of the score (see the module docstring for what they mean)."""

    # Fortune 500 tiers: the highest rank in each tier, and its points.
    fortune_tier_max_rank: Mapping[str, int] = _default({"top_100": 100, "top_250": 250, "top_500": 500})
    fortune_points: Mapping[str, int] = _default({"top_100": 30, "top_250": 27, "top_500": 24})
    # Other companies: the smallest employee count of each band, and its points.
    size_band_min_employees: Mapping[str, int] = _default(
        {"enterprise": 10_000, "large": 1_000, "mid": 200, "small": 1}
    )
    size_points: Mapping[str, int] = _default({"enterprise": 20, "large": 14, "mid": 8, "small": 3})
    seniority_points: Mapping[str, int] = _default(
        {
            Seniority.C_LEVEL.value: 20,
            Seniority.VP.value: 15,
            Seniority.DIRECTOR.value: 11,
            Seniority.MANAGER.value: 7,
            Seniority.INDIVIDUAL.value: 3,
            Seniority.UNKNOWN.value: 0,
        }
    )
    security_role_points: int = 10
    it_role_points: int = 5
    activity_points: Mapping[str, float] = _default(
        {
            "demo_request": 40,
            "assessment": 30,
            # A partner registered the deal: someone who knows the buyer vouches for the need.
            "partner": 30,
            "chat": 20,
            "roi_calculation": 15,
            "contact": 15,
            "newsletter": 5,
            "page_view": 1,
        }
    )
    # Most points one kind can add, however often it happens (kinds not listed: no cap of their own).
    activity_caps: Mapping[str, float] = _default(
        {"page_view": 10, "newsletter": 5, "chat": 25, "contact": 20, "roi_calculation": 20, "partner": 30}
    )
    half_life_days: float = 30.0
    engagement_cap: int = 40
    disposable_penalty: int = 30
    hot_threshold: int = 80

    def __post_init__(self) -> None:
        if not self.half_life_days > 0:
            raise ImproperlyConfigured("Lead scoring: half_life_days must be positive.")
        if set(self.fortune_tier_max_rank) != set(self.fortune_points):
            raise ImproperlyConfigured("Lead scoring: fortune_points needs one entry per Fortune tier.")
        if set(self.size_band_min_employees) != set(self.size_points):
            raise ImproperlyConfigured("Lead scoring: size_points needs one entry per size band.")

    @classmethod
    def from_settings(cls) -> ScoringConfig:
        """The defaults with `settings.LEAD_SCORING` (optional dict) applied on top."""
        return apply_overrides(cls, setting_dict("LEAD_SCORING"), "LEAD_SCORING")


def setting_dict(name: str) -> Mapping[str, Any]:
    """A dict setting, or {} when it is unset or Django is not configured (plain scripts)."""
    from django.conf import settings

    if not settings.configured:
        return {}
    return getattr(settings, name, None) or {}


def apply_overrides(config_class: type[_Config], overrides: Mapping[str, Any], setting: str) -> _Config:
    """A config dataclass with overrides from a settings dict: scalars replaced, dicts merged.

    Merging dicts means a setting only names what it changes (`{"size_points": {"mid": 10}}`);
    unknown keys are an error, so a typo cannot silently leave the default in place.
    """
    if not isinstance(overrides, Mapping):
        raise ImproperlyConfigured(f"settings.{setting} must be a dict.")
    default = config_class()
    names = {f.name for f in fields(default)}  # type: ignore[arg-type]
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise ImproperlyConfigured(
            f"settings.{setting} has unknown keys {unknown}; known keys are {sorted(names)}."
        )
    changes: dict[str, Any] = {}
    for name, value in overrides.items():
        current = getattr(default, name)
        if isinstance(current, Mapping):
            if not isinstance(value, Mapping):
                raise ImproperlyConfigured(f"settings.{setting}[{name!r}] must be a dict.")
            changes[name] = {**current, **value}
        else:
            changes[name] = value
    return replace(default, **changes)  # type: ignore[type-var]


# --- Shared bands (also used by the deal-value estimate) ------------------------------------------


def fortune_tier(rank: int | None, tier_max_rank: Mapping[str, int]) -> tuple[str, str] | None:
    """The tier key and its label ("top 100", "101–250") of a Fortune 500 rank, or None."""
    if rank is None or rank < 1:
        return None
    previous = 0
    for key, max_rank in sorted(tier_max_rank.items(), key=lambda item: item[1]):
        if rank <= max_rank:
            label = f"top {max_rank}" if previous == 0 else f"{previous + 1}–{max_rank}"
            return key, label
        previous = max_rank
    return None


_BAND_NAMES = {"enterprise": "Enterprise", "large": "Large", "mid": "Mid-size", "small": "Small"}


def size_band(employee_count: int | None, band_min: Mapping[str, int]) -> tuple[str, str] | None:
    """The band key and its label ("Mid-size company, 200–999 employees") of a head count, or None."""
    if employee_count is None or employee_count < 1:
        return None
    upper: int | None = None
    for key, minimum in sorted(band_min.items(), key=lambda item: item[1], reverse=True):
        if employee_count >= minimum:
            name = _BAND_NAMES.get(key, key.replace("_", " ").capitalize())
            span = f"{minimum:,}+" if upper is None else f"{minimum:,}–{upper - 1:,}"
            return key, f"{name} company ({span} employees)"
        upper = minimum
    return None


# --- Scoring ------------------------------------------------------------------------------------------


def _round(value: float) -> int:
    """Half up (not Python's half-to-even), so equal inputs never round in opposite directions."""
    return math.floor(value + 0.5)


def _part(factor: str, label: str, points: int) -> dict[str, Any]:
    return {"factor": factor, "label": label, "points": int(points)}


def _quoted(title: str) -> str:
    title = " ".join(title.split())
    return f"“{title[:77]}…”" if len(title) > 80 else f"“{title}”"


def _company_part(data: ScoringInput, config: ScoringConfig) -> dict[str, Any]:
    tier = fortune_tier(data.fortune_rank, config.fortune_tier_max_rank)
    if tier is not None:
        key, tier_label = tier
        return _part(
            "fortune_500", f"Fortune 500 rank {data.fortune_rank} ({tier_label})", config.fortune_points[key]
        )
    band = size_band(data.employee_count, config.size_band_min_employees)
    if band is not None:
        key, band_label = band
        return _part("company_size", f"{band_label}: {data.employee_count:,}", config.size_points[key])
    if data.is_webmail:
        return _part("company", "Personal e-mail address (such as Gmail) and no company on file", 0)
    return _part("company", "Company size unknown", 0)


def _seniority_part(profile: TitleProfile, job_title: str, config: ScoringConfig) -> dict[str, Any]:
    points = config.seniority_points.get(profile.seniority.value, 0)
    if not job_title.strip():
        label = "No job title given"
    elif profile.is_trainee:
        label = f"Student or intern: {_quoted(job_title)}"
    elif profile.seniority is Seniority.UNKNOWN:
        label = f"Seniority not recognised in job title {_quoted(job_title)}"
    else:
        label = f"{profile.seniority.label} job title {_quoted(job_title)}"
    return _part("seniority", label, points)


def _role_part(profile: TitleProfile, job_title: str, config: ScoringConfig) -> dict[str, Any]:
    if not job_title.strip():
        return _part("security_role", "Role unknown", 0)
    if profile.is_trainee:
        return _part("security_role", "No role bonus for students and interns", 0)
    if profile.security is SecurityRelevance.SECURITY:
        return _part(
            "security_role", "Works in security, risk or compliance: the buyer", config.security_role_points
        )
    if profile.security is SecurityRelevance.IT:
        return _part(
            "it_role",
            "Works in IT or infrastructure: often has a say in security tools",
            config.it_role_points,
        )
    return _part("security_role", "Not a security or IT role", 0)


_ACTIVITY_TEXT = {
    "demo_request": ("Requested a demo", "Requested a demo {n} times"),
    "assessment": ("Requested a security assessment", "Requested {n} security assessments"),
    "partner": ("Deal registered by a partner", "Deal registered by a partner {n} times"),
    "chat": ("Chatted with us", "Chatted with us {n} times"),
    "roi_calculation": ("Used the ROI calculator", "Used the ROI calculator {n} times"),
    "contact": ("Sent the contact form", "Sent the contact form {n} times"),
    "newsletter": ("Signed up for the newsletter", "Signed up for the newsletter {n} times"),
    "page_view": ("Viewed a page of the website", "Viewed {n} pages of the website"),
}


def _ago(days: float) -> str:
    if days < 1:
        return "today"
    if days < 2:
        return "yesterday"
    return f"{int(days)} days ago"


def _age_days(occurred_at: datetime, now: datetime) -> float:
    if occurred_at.tzinfo is None:
        raise ValueError("Activity.occurred_at must be timezone-aware.")
    return max(0.0, (now - occurred_at).total_seconds() / 86_400)


def _engagement_parts(data: ScoringInput, config: ScoringConfig) -> list[dict[str, Any]]:
    ages: dict[str, list[float]] = {}
    for activity in data.activities:
        if activity.kind in config.activity_points:
            ages.setdefault(activity.kind, []).append(_age_days(activity.occurred_at, data.now))
    parts = []
    # Most valuable kind first: that is the order a rep reads the reasons in.
    for kind in sorted(ages, key=lambda k: (-config.activity_points[k], k)):
        unit = config.activity_points[kind]
        kind_ages = ages[kind]
        decayed = sum(unit * 0.5 ** (age / config.half_life_days) for age in kind_ages)
        cap = config.activity_caps.get(kind, math.inf)
        capped = decayed > cap
        points = _round(min(decayed, cap))
        single, plural = _ACTIVITY_TEXT.get(kind, (kind.replace("_", " ").capitalize(), "{n} × " + kind))
        count = len(kind_ages)
        what = single if count == 1 else plural.format(n=count)
        when = _ago(min(kind_ages))
        label = f"{what} {when}" if count == 1 else f"{what}, latest {when}"
        undecayed = _round(unit * count)
        if capped:
            label += f" (capped at {points} points)"
        elif points < undecayed:
            half_life = f"{config.half_life_days:g}-day half-life"
            label += f" ({points} of {undecayed} points: interest fades with a {half_life})"
        parts.append(_part(kind, label, points))
    return parts


def _section(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"points": sum(part["points"] for part in parts), "parts": parts}


def score_lead(data: ScoringInput, config: ScoringConfig | None = None) -> ScoreResult:
    """Score a lead from plain values; see the module docstring for the model and the breakdown.

    Without a `config`, the one from settings is used, so `settings.LEAD_SCORING` applies to
    every caller that does not choose its own numbers.
    """
    config = config or ScoringConfig.from_settings()
    if data.now.tzinfo is None:
        raise ValueError("ScoringInput.now must be timezone-aware.")
    profile = analyse_title(data.job_title or "")
    title = data.job_title or ""
    flags: list[str] = []

    fit = _section(
        [
            _company_part(data, config),
            _seniority_part(profile, title, config),
            _role_part(profile, title, config),
        ]
    )

    engagement_parts = _engagement_parts(data, config)
    earned = sum(part["points"] for part in engagement_parts)
    if earned > config.engagement_cap:
        engagement_parts.append(
            _part(
                "engagement_cap",
                f"Engagement counts for at most {config.engagement_cap} points",
                config.engagement_cap - earned,
            )
        )
    engagement = _section(engagement_parts)

    penalty_parts = []
    if data.is_disposable:
        flags.append("disposable_email")
        penalty_parts.append(
            _part(
                "disposable_email",
                "Disposable (throw-away) e-mail address: rarely a real buyer",
                -config.disposable_penalty,
            )
        )
    penalties = _section(penalty_parts)
    if data.is_webmail:
        flags.append("webmail")
    if profile.is_trainee:
        flags.append("student_or_intern")

    raw = fit["points"] + engagement["points"] + penalties["points"]
    total = min(MAX_SCORE, max(0, raw))
    breakdown = {
        "version": BREAKDOWN_VERSION,
        "total": total,
        "raw": raw,
        "hot": total >= config.hot_threshold,
        "hot_threshold": config.hot_threshold,
        "fit": fit,
        "engagement": engagement,
        "penalties": penalties,
        "flags": flags,
    }
    return ScoreResult(total=total, seniority=profile.seniority, breakdown=breakdown)

"""Explainable lead scoring and deal-value estimation: pure functions of plain values.

Nothing here touches the database or takes a model instance, so the rules can be tested in
isolation and the leads services decide what data to feed in (see `leads.services.lead_rescore`).
"""

from .deal_value import DealValueConfig, estimate_deal_value
from .engine import Activity, ScoreResult, ScoringConfig, ScoringInput, score_lead
from .seniority import SecurityRelevance, TitleProfile, analyse_title, is_security_role, parse_seniority

__all__ = [
    "Activity",
    "DealValueConfig",
    "ScoreResult",
    "ScoringConfig",
    "ScoringInput",
    "SecurityRelevance",
    "TitleProfile",
    "analyse_title",
    "estimate_deal_value",
    "is_security_role",
    "parse_seniority",
    "score_lead",
]

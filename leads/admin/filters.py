"""Changelist filters of the lead queue: score band, follow-up due date and owner."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from ..models import Lead
from ..selectors import SALES_MANAGER_GROUP, SALES_REP_GROUP, user_is_sales_manager
from .dates import local_day_bounds

SCORE_BANDS = {"hot": (80, None), "warm": (50, 80), "cold": (None, 50)}


def _sales_users() -> QuerySet[Any]:
    """Active staff in a sales group, for owner filters and the owner field."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, is_staff=True, groups__name__in=[SALES_REP_GROUP, SALES_MANAGER_GROUP]
        )
        .distinct()
        .order_by("username")
    )


class ScoreBandFilter(admin.SimpleListFilter):
    """Hot ≥ 80 (sales alert threshold), warm 50–79, cold < 50."""

    title = "score band"
    parameter_name = "score_band"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("hot", "Hot (80+)"), ("warm", "Warm (50–79)"), ("cold", "Cold (under 50)")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        band = SCORE_BANDS.get(self.value() or "")
        if band is None:
            return queryset
        low, high = band
        if low is not None:
            queryset = queryset.filter(score__gte=low)
        if high is not None:
            queryset = queryset.filter(score__lt=high)
        return queryset


class FollowUpDueFilter(admin.SimpleListFilter):
    """Follow-ups by the rep's calendar (current time zone): overdue = before today, today, and
    this week = Monday to Sunday of the current week."""

    title = "follow-up due"
    parameter_name = "follow_up"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("overdue", "Overdue"), ("today", "Today"), ("week", "This week"), ("none", "None scheduled")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        today = timezone.localdate()
        start_today, start_tomorrow = local_day_bounds(today)
        value = self.value()
        if value == "overdue":
            return queryset.filter(next_follow_up_at__lt=start_today)
        if value == "today":
            return queryset.filter(next_follow_up_at__gte=start_today, next_follow_up_at__lt=start_tomorrow)
        if value == "week":
            monday = today - dt.timedelta(days=today.weekday())
            week_start, _ = local_day_bounds(monday)
            week_end, _ = local_day_bounds(monday + dt.timedelta(days=7))
            return queryset.filter(next_follow_up_at__gte=week_start, next_follow_up_at__lt=week_end)
        if value == "none":
            return queryset.filter(next_follow_up_at__isnull=True)
        return queryset


class OwnerFilter(admin.SimpleListFilter):
    """Reps choose between their own leads and the unassigned queue; managers also pick a rep."""

    title = "owner"
    parameter_name = "owner"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        choices = [("me", "Mine"), ("none", "Unassigned")]
        if user_is_sales_manager(request.user):
            choices += [(str(user.pk), user.get_username()) for user in _sales_users()]
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Lead]) -> QuerySet[Lead]:
        value = self.value()
        if value == "me":
            return queryset.filter(owner=request.user)
        if value == "none":
            return queryset.filter(owner__isnull=True)
        if value and value.isdigit() and user_is_sales_manager(request.user):
            return queryset.filter(owner_id=int(value))
        return queryset

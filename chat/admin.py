"""Admin for chat conversations, their messages, and the bot's knowledge base.

Messages are a record of what was said: read-only here (agents reply through the chat, which
writes them via the chat services). The visitor's resume-token hash is never shown.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from unfold.admin import ModelAdmin, TabularInline

from enterprise_scanner.admin_format import truncated
from enterprise_scanner.readonly_admin import ReadOnlyInline, ViewOnlyAdminMixin
from leads.selectors import user_is_sales_manager

from .events import agent_display_name
from .models import (
    AgentSession,
    BusinessHours,
    CannedResponse,
    ChatDailyRollup,
    Conversation,
    Holiday,
    KnowledgeArticle,
    KnowledgeSynonym,
    Message,
    OpeningPeriod,
)
from .reports import DEFAULT_WEEKS, chat_report
from .selectors import (
    canned_responses_for_console,
    conversation_queryset_for_agent,
    message_queryset_for_agent,
)
from .services.hours import schedule_is_open


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("sequence", "sender", "agent", "body", "created_at")
    readonly_fields = fields
    ordering = ("sequence",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return super().get_queryset(request).select_related("agent")


@admin.register(Conversation)
class ConversationAdmin(ModelAdmin):
    list_display = (
        "conversation_label",
        "status",
        "lead_display",
        "assigned_agent",
        "flags",
        "escalation_reason",
        "created_at",
    )
    list_select_related = ("lead", "visitor", "assigned_agent")
    list_display_links = ("conversation_label",)
    list_filter = ("status", "fortune_500_detected", "high_value_opportunity", "escalation_reason", "website")
    search_fields = ("lead__email", "lead__company__name", "visitor__anonymous_id")
    date_hierarchy = "created_at"
    autocomplete_fields = ("lead", "visitor")
    raw_id_fields = ("assigned_agent",)
    readonly_fields = ("website", "last_sequence", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("status", "assigned_agent", "lead", "visitor", "website")}),
        (
            "Escalation",
            {
                "fields": (
                    "fortune_500_detected",
                    "high_value_opportunity",
                    "escalation_reason",
                    "escalated_at",
                )
            },
        ),
        ("Satisfaction", {"fields": ("csat_rating", "csat_comment")}),
        ("History", {"fields": ("last_sequence", "created_at", "updated_at", "closed_at")}),
    )
    inlines = (MessageInline,)
    change_list_template = "admin/chat/conversation/change_list.html"

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        extra_context = {**(extra_context or {}), "is_sales_manager": user_is_sales_manager(request.user)}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Conversation", ordering="created_at")
    def conversation_label(self, obj: Conversation) -> str:
        return f"#{str(obj.id)[:8]}"

    @admin.display(description="Lead / visitor", ordering="lead__email")
    def lead_display(self, obj: Conversation) -> str:
        """The lead when known, otherwise the anonymous visitor, on one line."""
        if obj.lead_id:
            return truncated(obj.lead, width="14rem")
        if obj.visitor_id:
            return truncated(obj.visitor, width="14rem")
        return "–"

    @admin.display(description="Flags")
    def flags(self, obj: Conversation) -> str:
        """Fortune 500 and high-value as chips (two wide yes/no columns before)."""
        chips = [
            label
            for label, on in (("F500", obj.fortune_500_detected), ("High value", obj.high_value_opportunity))
            if on
        ]
        if not chips:
            return "–"
        return format_html(
            '<span class="es-chips">{}</span>',
            format_html_join("", '<span class="es-chip">{}</span>', ((chip,) for chip in chips)),
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        """The conversations the console would let this agent open (the lead-scoping rule in
        `chat.selectors.conversation_queryset_for_agent`): never another rep's lead's chat."""
        return conversation_queryset_for_agent(user=request.user)

    def get_urls(self) -> list[URLPattern]:
        console = path("console/", self.admin_site.admin_view(self.console_view), name="chat_console")
        report = path("report/", self.admin_site.admin_view(self.report_view), name="chat_report")
        return [console, report, *super().get_urls()]

    def report_view(self, request: HttpRequest) -> HttpResponse:
        """The chat report for managers (CSAT, response times, per agent, per week), read from
        the daily rollups in a fixed number of queries (chat.reports)."""
        if not user_is_sales_manager(request.user):
            raise PermissionDenied
        try:
            weeks = min(max(int(request.GET.get("weeks", DEFAULT_WEEKS)), 1), 52)
        except ValueError:
            weeks = DEFAULT_WEEKS
        context = {
            **self.admin_site.each_context(request),
            "title": "Chat report",
            "opts": self.model._meta,
            "report": chat_report(weeks=weeks),
            "weeks": weeks,
            "week_choices": (4, 8, 13, 26, 52),
        }
        return TemplateResponse(request, "admin/chat/report.html", context)

    def console_view(self, request: HttpRequest) -> HttpResponse:
        """The live agent console: queue, claim, reply and close over ws/agent/ (chat.consumers)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Live chat console",
            "opts": self.model._meta,
            "has_view_permission": True,
            "canned_responses": canned_responses_for_console(),
            "agent_name": agent_display_name(request.user),
        }
        return TemplateResponse(request, "admin/chat/console.html", context)


@admin.register(Message)
class MessageAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """Read-only: messages are written by the chat services only."""

    list_display = ("conversation", "sequence", "sender", "agent", "short_body", "created_at")
    list_select_related = ("conversation", "agent")
    list_filter = ("sender",)
    search_fields = ("body", "conversation__lead__email")
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return message_queryset_for_agent(user=request.user).select_related("conversation", "agent")

    @admin.display(description="Message")
    def short_body(self, obj: Message) -> str:
        return obj.body[:80]


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(ModelAdmin):
    list_display = ("title", "slug", "is_published", "updated_at")
    list_filter = ("is_published",)
    search_fields = ("title", "questions", "answer", "keywords")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("created_at", "updated_at")
    fields = ("title", "slug", "is_published", "questions", "answer", "keywords", "created_at", "updated_at")


@admin.register(KnowledgeSynonym)
class KnowledgeSynonymAdmin(ModelAdmin):
    """Words the bot reads as one (e.g. "SSO, SAML, single sign-on"); the bot's index is rebuilt
    on the next question after a change."""

    list_display = ("terms", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("terms",)
    formfield_overrides = {models.CharField: {"widget": forms.TextInput(attrs={"size": 100})}}
    readonly_fields = ("created_at", "updated_at")
    fields = ("terms", "is_active", "created_at", "updated_at")


@admin.register(AgentSession)
class AgentSessionAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """Who has the live chat console open (rows come and go with the consoles' sockets)."""

    list_display = ("user", "connected_at", "last_seen_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__first_name", "user__last_name")
    fields = ("user", "channel_name", "connected_at", "last_seen_at")


@admin.register(CannedResponse)
class CannedResponseAdmin(ModelAdmin):
    """Replies agents insert with "/shortcut" in the console's reply box."""

    list_display = ("shortcut", "title", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("shortcut", "title", "body")
    readonly_fields = ("created_at", "updated_at")
    fields = ("shortcut", "title", "body", "is_active", "created_at", "updated_at")


class OpeningPeriodInline(TabularInline):
    model = OpeningPeriod
    extra = 0
    fields = ("weekday", "opens", "closes")


class HolidayInline(TabularInline):
    model = Holiday
    extra = 0
    fields = ("date", "name")


@admin.register(BusinessHours)
class BusinessHoursAdmin(ModelAdmin):
    """Opening hours and holidays of a website's chat (chat.services.hours). A website without
    them is always open."""

    list_display = ("website", "time_zone", "open_now", "updated_at")
    list_select_related = ("website",)
    fields = ("website", "time_zone")
    inlines = (OpeningPeriodInline, HolidayInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[BusinessHours]:
        return super().get_queryset(request).prefetch_related("periods", "holidays")

    @admin.display(description="Open now", boolean=True)
    def open_now(self, obj: BusinessHours) -> bool:
        return schedule_is_open(obj, timezone.now())


@admin.register(ChatDailyRollup)
class ChatDailyRollupAdmin(ViewOnlyAdminMixin, ModelAdmin):
    """The rows behind the chat report (recomputed by chat.services.rollups)."""

    list_display = ("date", "agent", "conversations", "escalated", "bot_resolved", "rated", "csat_sum")
    list_select_related = ("agent",)
    date_hierarchy = "date"

"""The admin sidebar, shaped by role (django-unfold's SIDEBAR navigation, see settings.UNFOLD).

A rep works leads: the sidebar offers the workspace (home, leads, board, my tasks, conversations,
companies, assessments) and nothing else. A sales manager (`leads.selectors.user_is_sales_manager`)
adds team reports, partners and commissions, and the settings they keep (websites, knowledge base,
users). Raw tables and internals (rollups, events, lockouts, task results, idempotency keys, the
audit log...) are for superusers only: they answer "what happened in the system", not "what do I
do next".

Each entry is shown only when the role allows it AND the user holds the model's view permission
(the page itself checks the same permission, so the sidebar never offers a page that answers 403).
Hiding an entry is navigation, not security: every page keeps its own permission and row scoping.

Every registered ModelAdmin appears in some group for a superuser (enterprise_scanner/tests/
test_admin_navigation.py checks it), so a new model cannot become unreachable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from leads.selectors import user_is_sales_manager

Permission = Callable[[HttpRequest], bool]

#: Roles, from narrowest to widest. A superuser is every role.
REP, MANAGER, SUPERUSER = "rep", "manager", "superuser"


def _role_allows(request: HttpRequest, role: str) -> bool:
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if role == SUPERUSER:
        return user.is_superuser
    if role == MANAGER:
        return user_is_sales_manager(user)
    return True


def allow(role: str, *perms: str) -> Permission:
    """A permission callback for unfold: the role and every model permission."""

    def check(request: HttpRequest) -> bool:
        return _role_allows(request, role) and all(request.user.has_perm(perm) for perm in perms)

    return check


def link(name: str, query: str = "") -> Callable[[HttpRequest], str]:
    """A link resolved when the sidebar is drawn (the URLconf is not loaded when settings are)."""

    def build(request: HttpRequest) -> str:
        return reverse(name) + query

    return build


def active(name: str, *, exact: bool = False, besides: tuple[str, ...] = ()) -> Callable[[HttpRequest], bool]:
    """Whether the current page belongs to the entry: its own URL, or (not exact) one below it,
    e.g. a lead's page under the lead list, unless it belongs to one of the `besides` entries
    (the board lives under the lead list's URL but is its own entry)."""

    def check(request: HttpRequest) -> bool:
        target = reverse(name)
        if exact:
            return request.path == target
        if any(request.path.startswith(reverse(other)) for other in besides):
            return False
        return request.path.startswith(target)

    return check


def _item(
    title: str,
    icon: str,
    url_name: str,
    role: str,
    *perms: str,
    exact: bool = False,
    besides: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "title": title,
        "icon": icon,
        "link": link(url_name),
        "active": active(url_name, exact=exact, besides=besides),
        "permission": allow(role, *perms),
    }


def _changelist(
    title: str,
    icon: str,
    model: str,
    role: str,
    *,
    perm: str | None = None,
    exact: bool = False,
    besides: tuple[str, ...] = (),
) -> dict[str, Any]:
    """An entry for a model's list; `model` is "app_label.modelname"."""
    app_label, model_name = model.split(".")
    permission = perm or f"{app_label}.view_{model_name}"
    url_name = f"admin:{app_label}_{model_name}_changelist"
    return _item(title, icon, url_name, role, permission, exact=exact, besides=besides)


def sidebar_navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The groups of the sidebar (unfold calls this with the request on every admin page)."""
    return [
        {
            "title": "Workspace",
            "separator": False,
            "items": [
                _item("Home", "space_dashboard", "admin:index", REP, exact=True),
                _changelist("Leads", "person_search", "leads.lead", REP, besides=("admin:leads_board",)),
                _item("Board", "view_kanban", "admin:leads_board", REP, "leads.view_lead"),
                _item("My tasks", "task_alt", "admin:leads_leadtask_changelist", REP, "leads.view_leadtask"),
                _item("Inbox", "forum", "admin:chat_console", REP, "chat.view_conversation"),
                _changelist(
                    "Conversations",
                    "chat",
                    "chat.conversation",
                    REP,
                    besides=("admin:chat_console", "admin:chat_report"),
                ),
                _changelist("Companies", "domain", "leads.company", REP),
                _changelist("Assessments", "shield", "assessments.securityassessment", REP),
            ],
        },
        {
            "title": "Team",
            "separator": True,
            "items": [
                _item(
                    "Traffic & funnel",
                    "monitoring",
                    "admin:analytics_dailymetric_overview",
                    MANAGER,
                    "analytics.view_dailymetric",
                ),
                _item("Duplicates", "join", "admin:leads_lead_duplicates", MANAGER, "leads.change_lead"),
                _item(
                    "Chat report",
                    "sentiment_satisfied",
                    "admin:chat_report",
                    MANAGER,
                    "chat.view_conversation",
                ),
                _changelist("Watched targets", "radar", "assessments.monitoredtarget", MANAGER),
                _changelist("Partners", "handshake", "partners.partner", MANAGER),
                _changelist("Commissions", "payments", "partners.commission", MANAGER),
                _changelist("Nurture enrolments", "forward_to_inbox", "leads.nurtureenrollment", MANAGER),
            ],
        },
        {
            "title": "Settings",
            "separator": True,
            "collapsible": True,
            "items": [
                _changelist("Websites", "language", "analytics.website", MANAGER),
                _changelist("Nurture sequences", "campaign", "leads.nurturesequence", MANAGER),
                _changelist("Knowledge base", "menu_book", "chat.knowledgearticle", MANAGER),
                _changelist("Synonyms", "translate", "chat.knowledgesynonym", MANAGER),
                _changelist("Canned responses", "quickreply", "chat.cannedresponse", MANAGER),
                _changelist("Business hours", "schedule", "chat.businesshours", MANAGER),
                _changelist("Users", "group", "auth.user", MANAGER),
                _changelist("Groups", "admin_panel_settings", "auth.group", MANAGER),
                _changelist("API keys", "key", "api.apikey", MANAGER),
                _changelist(
                    "Slack & Teams alerts", "notifications_active", "alert_channels.alertchannel", MANAGER
                ),
                _changelist("Alert deliveries", "outbox", "alert_channels.alertdelivery", MANAGER),
                _changelist("Webhooks", "webhook", "webhooks.webhookendpoint", MANAGER),
                _changelist("Webhook deliveries", "send", "webhooks.webhookdelivery", MANAGER),
            ],
        },
        {
            "title": "Internals",
            "separator": True,
            "collapsible": True,
            "items": [
                _changelist("Timeline", "history", "leads.leadevent", SUPERUSER),
                _changelist("Lead notes", "sticky_note_2", "leads.leadnote", SUPERUSER),
                _changelist("Alias domains", "alternate_email", "leads.companydomain", SUPERUSER),
                _changelist(
                    "Intake idempotency keys", "fingerprint", "leads.intakeidempotencykey", SUPERUSER
                ),
                _changelist("Audit log", "manage_history", "auditlog.logentry", SUPERUSER),
                _changelist("Messages", "mail", "chat.message", SUPERUSER),
                _changelist("Online agents", "support_agent", "chat.agentsession", SUPERUSER),
                _changelist("Chat rollups", "calendar_view_week", "chat.chatdailyrollup", SUPERUSER),
                _changelist("Findings", "bug_report", "assessments.finding", SUPERUSER),
                _changelist("ROI calculations", "calculate", "assessments.roicalculation", SUPERUSER),
                _changelist("Visitors", "person_pin", "analytics.visitor", SUPERUSER),
                _changelist("Events", "bolt", "analytics.event", SUPERUSER),
                _changelist(
                    "Daily metrics", "calendar_month", "analytics.dailymetric", SUPERUSER, exact=True
                ),
                _changelist("Company daily visits", "apartment", "analytics.companydailyvisit", SUPERUSER),
                _changelist("Page daily views", "article", "analytics.pagedailyview", SUPERUSER),
                _changelist("IP ranges", "lan", "analytics.iprange", SUPERUSER),
                _changelist("Erasure records", "delete_sweep", "analytics.erasurerecord", SUPERUSER),
                _changelist("Sent e-mails", "outgoing_mail", "jobs.sentemail", SUPERUSER),
                _changelist("Nurture e-mails sent", "mark_email_read", "leads.nurturesend", SUPERUSER),
                _changelist("Webhook events", "bolt", "webhooks.webhookevent", SUPERUSER),
                _changelist("Task workers", "memory", "jobs.workerheartbeat", SUPERUSER),
                _changelist("Task results", "checklist", "django_tasks_database.dbtaskresult", SUPERUSER),
                _changelist("Access attempts", "lock_clock", "axes.accessattempt", SUPERUSER),
                _changelist("Access failures", "lock", "axes.accessfailurelog", SUPERUSER),
                _changelist("Access log", "login", "axes.accesslog", SUPERUSER),
                _changelist("Partner 2FA devices", "phonelink_lock", "otp_totp.totpdevice", SUPERUSER),
            ],
        },
    ]

"""Chat conversations between website visitors, the bot and sales agents."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class ConversationStatus(models.TextChoices):
    BOT = "bot", "With the bot"
    WAITING = "waiting", "Waiting for an agent"
    ACTIVE = "active", "With an agent"
    CLOSED = "closed", "Closed"


class EscalationReason(models.TextChoices):
    FORTUNE_500 = "fortune_500", "Fortune 500 visitor"
    HIGH_SCORE = "high_score", "High-score lead"
    ASKED_FOR_HUMAN = "asked_for_human", "Visitor asked for a person"
    BOT_FAILED = "bot_failed", "Bot could not answer twice"
    UNHAPPY = "unhappy", "Visitor is unhappy"


class Conversation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    website = models.ForeignKey(
        "analytics.Website", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visitor = models.ForeignKey(
        "analytics.Visitor",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="conversations"
    )
    status = models.CharField(
        max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.BOT
    )
    assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_conversations",
    )
    token_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        db_index=True,
        help_text="SHA-256 of the visitor's resume token.",
    )
    fortune_500_detected = models.BooleanField("Fortune 500 detected", default=False)
    high_value_opportunity = models.BooleanField(default=False)
    escalation_reason = models.CharField(max_length=20, choices=EscalationReason.choices, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    last_sequence = models.PositiveIntegerField(default=0, help_text="Sequence number of the newest message.")
    csat_rating = models.PositiveSmallIntegerField("CSAT rating", null=True, blank=True)
    csat_comment = models.TextField("CSAT comment", blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    page_url = models.URLField(
        "current page", max_length=500, blank=True, help_text="The page the visitor is chatting from."
    )
    page_title = models.CharField(max_length=200, blank=True)
    offline_message = models.BooleanField(
        default=False, help_text="Left as an offline message (outside business hours or nobody online)."
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(csat_rating__isnull=True)
                | models.Q(csat_rating__gte=1, csat_rating__lte=5),
                name="conversation_csat_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(escalated_at__isnull=True) | ~models.Q(escalation_reason=""),
                name="conversation_escalation_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "escalated_at"], name="conversation_queue_idx"),
            models.Index(fields=["assigned_agent", "status"], name="conversation_agent_idx"),
        ]

    def __str__(self) -> str:
        return f"Conversation {str(self.id)[:8]} ({self.get_status_display()})"


class MessageSender(models.TextChoices):
    VISITOR = "visitor", "Visitor"
    BOT = "bot", "Bot"
    AGENT = "agent", "Agent"
    SYSTEM = "system", "System"


class Message(models.Model):
    """One chat message. `sequence` orders a conversation and lets a reconnecting client ask
    for everything after the last one it saw; `client_message_id` makes resends idempotent."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sequence = models.PositiveIntegerField()
    sender = models.CharField(max_length=10, choices=MessageSender.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=4000)
    client_message_id = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict, blank=True, help_text="e.g. the bot's sources.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["conversation", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "sequence"], name="message_unique_sequence"),
            models.UniqueConstraint(
                fields=["conversation", "client_message_id"],
                condition=~models.Q(client_message_id=""),
                name="message_unique_client_id",
            ),
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="message_sequence_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.sender}: {self.body[:50]}"


class KnowledgeArticle(models.Model):
    """What the bot knows: edited by staff in the admin, only published articles are used."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    questions = models.TextField(blank=True, help_text="Questions this article answers, one per line.")
    answer = models.TextField()
    keywords = models.CharField(max_length=500, blank=True, help_text="Comma-separated.")
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["is_published"], name="article_published_idx")]

    def __str__(self) -> str:
        return self.title


class KnowledgeSynonym(models.Model):
    """Words and phrases that mean the same thing to the bot (e.g. "SSO, SAML, single sign-on"),
    edited by staff in the admin. The bot reads a visitor's question and the articles with every
    term of a group as one word, so "Can our data stay in Europe?" finds an article that says
    "EU" and "DSAR" one that says "data subject request"."""

    terms = models.CharField(
        max_length=500,
        help_text="Comma-separated words or phrases used for the same thing, e.g. 'SSO, SAML, single sign-on'.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["terms"]
        verbose_name = "knowledge synonym group"

    def __str__(self) -> str:
        return self.terms

    def term_list(self) -> list[str]:
        """The group's terms, trimmed, lower-cased, without duplicates or empty ones."""
        return list(dict.fromkeys(t.strip().lower() for t in self.terms.split(",") if t.strip()))

    def clean(self) -> None:
        terms = self.term_list()
        if len(terms) < 2:
            raise ValidationError({"terms": "Give at least two words or phrases, separated by commas."})
        if any(len(term) > 60 for term in terms):
            raise ValidationError({"terms": "Each word or phrase may have at most 60 characters."})


class AgentSession(models.Model):
    """One open agent console socket: how the bot knows whether a person can take over.

    Kept in the database rather than in process memory so that every server process (and the
    bot in any of them) sees the same agents; a console refreshes `last_seen_at` with its
    heartbeat, so the row of a crashed process stops counting after `AGENT_ONLINE_SECONDS`.
    """

    channel_name = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    connected_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "online agent"

    def __str__(self) -> str:
        return f"{self.user} on {self.channel_name}"


def validate_time_zone(value: str) -> None:
    """A name of the IANA time-zone database ("Europe/Berlin"), so opening hours mean local time."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from django.core.exceptions import ValidationError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a time zone such as Europe/Berlin.") from None


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class BusinessHours(models.Model):
    """When people answer a website's chat. A website without business hours is always open
    (the chat behaves as before they existed); with them, outside the hours or on a holiday the
    widget collects an offline message instead of promising a colleague (chat.services.hours)."""

    website = models.OneToOneField("analytics.Website", on_delete=models.CASCADE, related_name="chat_hours")
    time_zone = models.CharField(
        max_length=64,
        default="Europe/Berlin",
        validators=[validate_time_zone],
        help_text="The hours below are local times of this zone (IANA name, e.g. Europe/Berlin).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "business hours"
        verbose_name_plural = "business hours"

    def __str__(self) -> str:
        return f"Business hours of {self.website}"


class OpeningPeriod(models.Model):
    """One span of a weekday when the chat is staffed (two rows for a lunch break)."""

    schedule = models.ForeignKey(BusinessHours, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_closes_after_opens"
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="opening_weekday_0_6"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Holiday(models.Model):
    """A day the chat is not staffed, whatever the weekday's hours say."""

    schedule = models.ForeignKey(BusinessHours, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["schedule", "date"], name="holiday_unique_date")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


class CannedResponse(models.Model):
    """A reply agents insert with "/shortcut" in the console: the answers they type every day,
    written once and kept consistent."""

    shortcut = models.SlugField(max_length=40, unique=True, help_text='Typed after "/" in the reply box.')
    title = models.CharField(max_length=100)
    body = models.TextField(max_length=2000)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["shortcut"]

    def __str__(self) -> str:
        return f"/{self.shortcut} — {self.title}"


class ChatDailyRollup(models.Model):
    """One day's chats (by the day they started, in TIME_ZONE) of one agent, or of no agent
    (`agent` empty: the bot's and the unclaimed ones). The chat report sums these rows, so it
    reads a fixed number of rows however many chats there were (chat.services.reports)."""

    date = models.DateField()
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    conversations = models.PositiveIntegerField(default=0, help_text="Chats in which the visitor wrote.")
    escalated = models.PositiveIntegerField(default=0)
    bot_resolved = models.PositiveIntegerField(default=0, help_text="Never escalated to a person.")
    offline_messages = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    csat_sum = models.PositiveIntegerField(default=0)
    csat_1 = models.PositiveIntegerField(default=0)
    csat_2 = models.PositiveIntegerField(default=0)
    csat_3 = models.PositiveIntegerField(default=0)
    csat_4 = models.PositiveIntegerField(default=0)
    csat_5 = models.PositiveIntegerField(default=0)
    first_responses = models.PositiveIntegerField(default=0)
    first_response_seconds = models.PositiveBigIntegerField(
        default=0, help_text="Sum, escalation → first reply."
    )
    resolutions = models.PositiveIntegerField(default=0)
    resolution_seconds = models.PositiveBigIntegerField(default=0, help_text="Sum, start → close.")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "agent"], name="chat_rollup_unique_agent_day"),
            models.UniqueConstraint(
                fields=["date"], condition=models.Q(agent__isnull=True), name="chat_rollup_unique_noagent_day"
            ),
        ]
        indexes = [models.Index(fields=["date"], name="chat_rollup_date_idx")]

    def __str__(self) -> str:
        return f"Chats on {self.date} ({self.agent or 'no agent'})"

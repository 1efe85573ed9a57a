"""Secret API keys for server-to-server and partner integrations.

Only a SHA-256 digest of each key is stored; the key itself is shown once when it is created.
The first characters (the prefix) are stored in clear so that a presented key can be found with
one indexed lookup and then compared in constant time. Keys are long random strings, so a fast
hash is enough: there is nothing to brute-force that a slow hash would protect.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiScope(models.TextChoices):
    LEADS_READ = "leads:read", "Read leads"
    LEADS_WRITE = "leads:write", "Update leads"
    PARTNER = "partner", "Partner: own referrals and commissions"


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def usable(self) -> ApiKeyQuerySet:
        """Keys that are neither revoked nor expired right now."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiKey(models.Model):
    name = models.CharField(max_length=100, help_text="What the key is for, e.g. 'Salesforce sync'.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False, help_text="SHA-256 hex digest.")
    scopes = models.JSONField(default=list, help_text="List of scopes, e.g. ['leads:read'].")
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_keys",
        help_text="Partner keys see only that partner's data.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="apikey_hash_is_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

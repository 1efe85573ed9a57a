"""Step 2 of 3: encrypt every stored channel webhook URL (0005 then drops the plaintext column).

The key derivation is copied here rather than imported from `enterprise_scanner.secret_box`, so
this migration keeps producing exactly these tokens even if that module changes later. It must
stay byte-for-byte compatible with `secret_box` as it is today: Fernet keyed with
sha256(purpose + ":" + SECRET_KEY), purpose `enterprise-scanner.alert_channels.webhook_url`
(`AlertChannel` decrypts with SECRET_KEY and SECRET_KEY_FALLBACKS). Reversible: going back
decrypts into the plaintext column again.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import migrations

PURPOSE = "enterprise-scanner.alert_channels.webhook_url"


def _keyring() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"{PURPOSE}:".encode() + key.encode()).digest()))
            for key in keys
        ]
    )


def encrypt_urls(apps, schema_editor) -> None:
    AlertChannel = apps.get_model("alert_channels", "AlertChannel")
    keyring = _keyring()
    for channel in AlertChannel.objects.exclude(webhook_url="").filter(webhook_url_encrypted="").iterator():
        channel.webhook_url_encrypted = keyring.encrypt(channel.webhook_url.encode()).decode()
        channel.save(update_fields=["webhook_url_encrypted"])


def decrypt_urls(apps, schema_editor) -> None:
    AlertChannel = apps.get_model("alert_channels", "AlertChannel")
    keyring = _keyring()
    for channel in AlertChannel.objects.exclude(webhook_url_encrypted="").iterator():
        channel.webhook_url = keyring.decrypt(channel.webhook_url_encrypted.encode()).decode()
        channel.webhook_url_encrypted = ""
        channel.save(update_fields=["webhook_url", "webhook_url_encrypted"])


class Migration(migrations.Migration):
    dependencies = [
        ("alert_channels", "0003_webhook_url_encrypted"),
    ]

    operations = [migrations.RunPython(encrypt_urls, decrypt_urls)]

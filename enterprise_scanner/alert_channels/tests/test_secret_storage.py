"""The webhook URL is a bearer secret: the database holds only its encryption, a rotated
SECRET_KEY still reads it, and the migrations encrypt (and, going back, decrypt) existing rows."""

from __future__ import annotations

import pytest
from cryptography.fernet import InvalidToken
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from enterprise_scanner.secret_box import decrypt_text, encrypt_text
from enterprise_scanner.webhooks.models import SIGNING_SECRET_PURPOSE

from ..models import WEBHOOK_URL_PURPOSE, AlertChannel
from .factories import AlertChannelFactory

URL = "https://hooks.slack.com/services/T0AAA/B0BBB/s3cr3tT0k3nXyZ"


def raw_row(pk: int) -> tuple[str, ...]:
    """Every column of the channel's row, as the database has it (no model code in between)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM alert_channels_alertchannel WHERE id = %s", [pk])
        return tuple(str(value) for value in cursor.fetchone())


@pytest.mark.django_db
def test_the_database_holds_no_url_text() -> None:
    channel = AlertChannel.objects.create(name="#hot", webhook_url=URL)
    row = raw_row(channel.pk)
    assert not any("s3cr3tT0k3n" in value or "hooks.slack.com/services" in value for value in row), row
    channel = AlertChannel.objects.get(pk=channel.pk)
    assert channel.webhook_url == URL
    assert channel.webhook_hint == "https://hooks.slack.com/…nXyZ"
    assert "webhook_url" not in {field.name for field in AlertChannel._meta.fields}


@pytest.mark.django_db
def test_setting_the_url_re_encrypts_and_refreshes_the_hint() -> None:
    channel = AlertChannelFactory()
    channel.webhook_url = "https://hooks.slack.com/services/T1/B1/newnewnewABCD"
    channel.save(update_fields=["webhook_url"])
    channel = AlertChannel.objects.get(pk=channel.pk)
    assert channel.webhook_url.endswith("ABCD") and channel.webhook_hint.endswith("…ABCD")


@pytest.mark.django_db
def test_a_rotated_secret_key_still_decrypts(settings) -> None:
    settings.SECRET_KEY = "old-key-" + "x" * 50
    channel = AlertChannel.objects.create(name="#hot", webhook_url=URL)
    settings.SECRET_KEY = "new-key-" + "y" * 50
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 50]
    channel = AlertChannel.objects.get(pk=channel.pk)
    assert channel.webhook_url == URL
    # Saving again re-encrypts with the new key: the old one can then be dropped.
    channel.webhook_url = channel.webhook_url
    channel.save()
    settings.SECRET_KEY_FALLBACKS = []
    assert AlertChannel.objects.get(pk=channel.pk).webhook_url == URL


def test_purposes_derive_different_keys() -> None:
    token = encrypt_text(URL, purpose=WEBHOOK_URL_PURPOSE)
    assert decrypt_text(token, purpose=WEBHOOK_URL_PURPOSE) == URL
    with pytest.raises(InvalidToken):
        decrypt_text(token, purpose=SIGNING_SECRET_PURPOSE)


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_existing_rows_and_reverse() -> None:
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("alert_channels", "0003_webhook_url_encrypted")])
        old_apps = executor.loader.project_state(("alert_channels", "0003_webhook_url_encrypted")).apps
        OldChannel = old_apps.get_model("alert_channels", "AlertChannel")
        pk = OldChannel.objects.create(name="#old", kind="slack", webhook_url=URL, webhook_hint="h").pk

        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        assert AlertChannel.objects.get(pk=pk).webhook_url == URL
        assert not any("s3cr3tT0k3n" in value for value in raw_row(pk))

        executor = MigrationExecutor(connection)
        executor.migrate([("alert_channels", "0003_webhook_url_encrypted")])
        old_apps = executor.loader.project_state(("alert_channels", "0003_webhook_url_encrypted")).apps
        restored = old_apps.get_model("alert_channels", "AlertChannel").objects.get(pk=pk)
        assert restored.webhook_url == URL and restored.webhook_url_encrypted == ""
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

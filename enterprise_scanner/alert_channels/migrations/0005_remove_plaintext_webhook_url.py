from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 3 of 3: the plaintext URL column goes (0004 encrypted every row). Reversing re-adds it
    empty, and reversing 0004 then fills it back."""

    dependencies = [
        ("alert_channels", "0004_encrypt_webhook_urls"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alertchannel",
            name="webhook_url",
            field=models.URLField(blank=True, default="", max_length=1000, verbose_name="Webhook URL"),
        ),
        migrations.RemoveField(
            model_name="alertchannel",
            name="webhook_url",
        ),
    ]

"""Managers register webhook endpoints and read (and resend) their deliveries; reps get nothing.
Frozen here like leads 0003_sales_groups."""

from django.db import migrations

from enterprise_scanner.group_permissions import group_grant, grant_to_groups

WEBHOOK_PERMISSIONS = {
    "Sales manager": [
        "add_webhookendpoint",
        "change_webhookendpoint",
        "delete_webhookendpoint",
        "view_webhookendpoint",
        "change_webhookdelivery",
        "view_webhookdelivery",
        "view_webhookevent",
        "view_webhookattempt",
    ],
}


@group_grant
def grant(apps, schema_editor):
    grant_to_groups(apps, "webhooks", WEBHOOK_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("leads", "0003_sales_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

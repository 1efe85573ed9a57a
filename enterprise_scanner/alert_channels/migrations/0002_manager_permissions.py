"""Sales managers keep the Slack / Teams channels (Settings) and retry deliveries; reps have no
access (a webhook URL is a secret). Frozen here like leads 0003_sales_groups."""

from django.db import migrations

from enterprise_scanner.group_permissions import group_grant, grant_to_groups

PERMISSIONS = {
    "Sales manager": [
        "add_alertchannel",
        "change_alertchannel",
        "delete_alertchannel",
        "view_alertchannel",
        "change_alertdelivery",
        "view_alertdelivery",
    ],
}


@group_grant
def grant(apps, schema_editor):
    grant_to_groups(apps, "alert_channels", PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("alert_channels", "0001_initial"),
        ("leads", "0003_sales_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

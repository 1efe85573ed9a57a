"""Permissions of the staff groups for canned responses, business hours and the chat rollups:
managers keep the canned responses and business hours, reps read the canned responses (the
console offers them to everyone who works on chats). Frozen here like leads 0003_sales_groups."""

from django.db import migrations

from enterprise_scanner.group_permissions import group_grant, grant_to_groups

CONSOLE_PERMISSIONS = {
    "Sales rep": ["view_cannedresponse", "view_businesshours", "view_openingperiod", "view_holiday"],
    "Sales manager": [
        "add_cannedresponse", "change_cannedresponse", "delete_cannedresponse", "view_cannedresponse",
        "add_businesshours", "change_businesshours", "delete_businesshours", "view_businesshours",
        "add_openingperiod", "change_openingperiod", "delete_openingperiod", "view_openingperiod",
        "add_holiday", "change_holiday", "delete_holiday", "view_holiday",
        "view_chatdailyrollup",
    ],
}


@group_grant
def grant_console_permissions(apps, schema_editor):
    grant_to_groups(apps, "chat", CONSOLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0007_console_hours_canned_rollups"),
        ("leads", "0003_sales_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant_console_permissions, migrations.RunPython.noop)]

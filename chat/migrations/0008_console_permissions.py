"""Permissions of the staff groups for canned responses, business hours and the chat rollups:
managers keep the canned responses and business hours, reps read the canned responses (the
console offers them to everyone who works on chats). Frozen here like leads 0003_sales_groups."""

from django.db import migrations

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


def grant_console_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("chat")
    previous = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in CONSOLE_PERMISSIONS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="chat", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0007_console_hours_canned_rollups"),
        ("leads", "0003_sales_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant_console_permissions, migrations.RunPython.noop)]

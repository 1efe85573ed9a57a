"""Sales managers keep the Slack / Teams channels (Settings) and retry deliveries; reps have no
access (a webhook URL is a secret). Frozen here like leads 0003_sales_groups."""

from django.db import migrations

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


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("alert_channels")
    previous = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in PERMISSIONS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="alert_channels", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("alert_channels", "0001_initial"),
        ("leads", "0003_sales_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

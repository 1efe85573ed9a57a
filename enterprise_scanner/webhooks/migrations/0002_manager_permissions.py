"""Managers register webhook endpoints and read (and resend) their deliveries; reps get nothing.
Frozen here like leads 0003_sales_groups."""

from django.db import migrations

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


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("webhooks")
    previous = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in WEBHOOK_PERMISSIONS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="webhooks", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("leads", "0003_sales_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

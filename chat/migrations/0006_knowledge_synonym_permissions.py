"""Synonym groups in the admin: managers edit them (as they edit knowledge articles), reps see
them. Frozen here like leads 0003_sales_groups."""

from django.db import migrations

SYNONYM_PERMISSIONS = {
    "Sales rep": ["view_knowledgesynonym"],
    "Sales manager": [
        "add_knowledgesynonym",
        "change_knowledgesynonym",
        "delete_knowledgesynonym",
        "view_knowledgesynonym",
    ],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("chat")
    previous = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in SYNONYM_PERMISSIONS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="chat", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0005_seed_knowledge_synonyms"),
        ("leads", "0003_sales_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

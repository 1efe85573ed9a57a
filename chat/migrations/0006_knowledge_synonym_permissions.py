"""Synonym groups in the admin: managers edit them (as they edit knowledge articles), reps see
them. Frozen here like leads 0003_sales_groups."""

from django.db import migrations

from enterprise_scanner.group_permissions import group_grant, grant_to_groups

SYNONYM_PERMISSIONS = {
    "Sales rep": ["view_knowledgesynonym"],
    "Sales manager": [
        "add_knowledgesynonym",
        "change_knowledgesynonym",
        "delete_knowledgesynonym",
        "view_knowledgesynonym",
    ],
}


@group_grant
def grant(apps, schema_editor):
    grant_to_groups(apps, "chat", SYNONYM_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0005_seed_knowledge_synonyms"),
        ("leads", "0003_sales_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

"""Sales managers see a partner's portal accounts and invitations on the partner's page (the
inlines need the models' view permission). Frozen list, as a migration must not depend on code
that changes later."""

from django.db import migrations

from enterprise_scanner.group_permissions import group_grant, grant_to_groups

MANAGER_PERMISSIONS = ["view_partnermember", "view_partnerinvite"]


@group_grant
def grant(apps, schema_editor):
    grant_to_groups(apps, "partners", {"Sales manager": MANAGER_PERMISSIONS})


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_partnermember_partnerinvite"),
        ("leads", "0003_sales_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

"""Sales managers see a partner's portal accounts and invitations on the partner's page (the
inlines need the models' view permission). Frozen list, as a migration must not depend on code
that changes later."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGER_PERMISSIONS = ["view_partnermember", "view_partnerinvite"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("partners")
    previous = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = previous
    group = apps.get_model("auth", "Group").objects.filter(name="Sales manager").first()
    if group is not None:
        Permission = apps.get_model("auth", "Permission")
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="partners", codename__in=MANAGER_PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_partnermember_partnerinvite"),
        ("leads", "0003_sales_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

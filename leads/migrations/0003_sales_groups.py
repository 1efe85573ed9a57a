"""Create the staff groups "Sales rep" and "Sales manager" with their model permissions.

Row-level scoping (a rep sees own + unassigned leads) is enforced by the leads selectors; these
permissions decide which admin pages and actions each group has at all. The lists are frozen
here, as a migration must not depend on code that changes later.
"""

from django.db import migrations

from enterprise_scanner.group_permissions import create_app_permissions, group_grant

SALES_REP = {
    "leads": ["add_lead", "change_lead", "view_lead", "view_company", "view_companydomain",
              "view_leadevent", "add_leadnote", "view_leadnote"],
    "chat": ["view_conversation", "change_conversation", "view_message", "add_message",
             "view_knowledgearticle"],
    "assessments": ["view_securityassessment", "view_finding", "view_roicalculation"],
    "analytics": ["view_visitor", "view_event", "view_dailymetric"],
    "partners": ["view_partner"],
}

SALES_MANAGER = {
    "leads": ["add_lead", "change_lead", "delete_lead", "view_lead",
              "add_company", "change_company", "view_company",
              "add_companydomain", "change_companydomain", "delete_companydomain", "view_companydomain",
              "view_leadevent", "add_leadnote", "change_leadnote", "delete_leadnote", "view_leadnote"],
    "chat": ["view_conversation", "change_conversation", "view_message", "add_message",
             "add_knowledgearticle", "change_knowledgearticle", "delete_knowledgearticle",
             "view_knowledgearticle"],
    "assessments": ["add_securityassessment", "change_securityassessment", "view_securityassessment",
                    "view_finding", "view_roicalculation"],
    "analytics": ["view_website", "view_visitor", "view_event", "view_dailymetric"],
    "partners": ["add_partner", "change_partner", "view_partner", "change_commission",
                 "view_commission"],
    "api": ["add_apikey", "change_apikey", "view_apikey"],
}

GROUPS = {"Sales rep": SALES_REP, "Sales manager": SALES_MANAGER}


@group_grant
def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); create them
    # now so that the groups can refer to them on a fresh database.
    for app_config in apps.get_app_configs():
        create_app_permissions(apps, app_config.label)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, by_app in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = [(app, codename) for app, codenames in by_app.items() for codename in codenames]
        permissions = []
        for app_label, codename in wanted:
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("leads", "0002_initial"),
        ("analytics", "0002_initial"),
        ("assessments", "0002_initial"),
        ("chat", "0002_initial"),
        ("partners", "0001_initial"),
        ("api", "0002_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]

"""Every lead's `next_follow_up_at` becomes an open "Follow up" task due then, so the column
equals its earliest open task from now on (leads.services.tasks keeps it so); and the sales
groups get the task permissions (reps: see, add and change tasks; managers: also delete).

Frozen lists here, as a migration must not depend on code that changes later.
"""

from django.db import migrations

from enterprise_scanner.group_permissions import group_grant, grant_to_groups

TASK_PERMISSIONS = {
    "Sales rep": ["add_leadtask", "change_leadtask", "view_leadtask"],
    "Sales manager": ["add_leadtask", "change_leadtask", "delete_leadtask", "view_leadtask"],
}


def follow_ups_to_tasks(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    LeadTask = apps.get_model("leads", "LeadTask")
    batch = []
    leads = Lead.objects.filter(next_follow_up_at__isnull=False).values_list("pk", "next_follow_up_at")
    for lead_id, at in leads.iterator(chunk_size=2000):
        batch.append(LeadTask(lead_id=lead_id, title="Follow up", kind="follow_up", due_at=at))
        if len(batch) >= 2000:
            LeadTask.objects.bulk_create(batch)
            batch = []
    LeadTask.objects.bulk_create(batch)


@group_grant
def grant_task_permissions(apps, schema_editor):
    grant_to_groups(apps, "leads", TASK_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0008_lead_tasks"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(follow_ups_to_tasks, migrations.RunPython.noop),
        migrations.RunPython(grant_task_permissions, migrations.RunPython.noop),
    ]

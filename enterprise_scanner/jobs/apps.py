from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background jobs that survive their worker: heartbeats, the lease, recovery, e-mail once.

    Listed before `django_tasks_db` in INSTALLED_APPS so that its `db_worker` command (which
    writes the heartbeat) replaces the library's.
    """

    name = "enterprise_scanner.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
    default_auto_field = "django.db.models.BigAutoField"

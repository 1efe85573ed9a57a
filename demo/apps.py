from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Only a command and its data: no models, so no migrations."""

    name = "demo"
    verbose_name = "Demo data"

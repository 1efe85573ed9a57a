from django.apps import AppConfig
from django.core import checks


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Security assessments"

    def ready(self) -> None:
        from .checks import check_dns_resolvers

        checks.register(check_dns_resolvers)

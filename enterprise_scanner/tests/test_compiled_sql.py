"""CompiledRead: the SQL is compiled once, the answers are the ORM's, every time."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS

from enterprise_scanner.compiled_sql import CompiledRead
from enterprise_scanner.webhooks import services
from enterprise_scanner.webhooks.models import WebhookEndpoint
from leads.models import Company


def endpoint(owner, *, active: bool) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        url="https://hooks.example.com/in", events=["lead.created"], owner=owner, active=active
    )


@pytest.mark.django_db
def test_the_active_endpoint_probe_answers_what_the_orm_answers_as_rows_change(sales_manager) -> None:
    """Only the SQL is kept: rows added, switched off and deleted are seen at once."""

    def both() -> tuple[bool, bool]:
        probe = services._any_active_endpoint.fetchone(using=DEFAULT_DB_ALIAS) is not None
        return probe, WebhookEndpoint.objects.filter(active=True).exists()

    assert both() == (False, False)
    inactive = endpoint(sales_manager, active=False)
    assert both() == (False, False)
    inactive.active = True
    inactive.save()
    assert both() == (True, True)
    inactive.active = False
    inactive.save()
    assert both() == (False, False)
    endpoint(sales_manager, active=True).delete()
    assert both() == (False, False)


@pytest.mark.django_db
def test_parameters_are_substituted_and_constants_kept() -> None:
    Company.objects.create(domain="acme-corp.com", name="Acme")
    Company.objects.create(domain="globex.com", name="Globex", employee_count=10)
    read = CompiledRead(
        lambda domain: Company.objects.filter(domain=domain, name__startswith="Acme").values_list("name"),
        "domain",
    )
    assert read.fetchone("acme-corp.com", using=DEFAULT_DB_ALIAS) == ("Acme",)
    assert read.fetchone("globex.com", using=DEFAULT_DB_ALIAS) is None  # the constant still applies
    assert read.fetchone("nobody.example", using=DEFAULT_DB_ALIAS) is None
    sql, _ = read.sql(DEFAULT_DB_ALIAS)
    assert read.sql(DEFAULT_DB_ALIAS)[0] is sql  # compiled once per alias


@pytest.mark.django_db
def test_a_lookup_that_changes_the_value_is_refused() -> None:
    read = CompiledRead(lambda name: Company.objects.filter(name__icontains=name).values_list("pk"), "name")
    with pytest.raises(ImproperlyConfigured):
        read.fetchone("acme", using=DEFAULT_DB_ALIAS)

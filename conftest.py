"""Project-wide pytest fixtures: staff users of each role and logged-in admin clients."""

from __future__ import annotations

import pytest
from django.test import Client

from leads.tests.factories import SalesManagerFactory, SalesRepFactory


@pytest.fixture
def sales_rep(db):
    return SalesRepFactory(username="rep")


@pytest.fixture
def other_rep(db):
    return SalesRepFactory(username="rep2")


@pytest.fixture
def sales_manager(db):
    return SalesManagerFactory(username="manager")


@pytest.fixture
def rep_client(sales_rep) -> Client:
    client = Client()
    client.force_login(sales_rep)
    return client


@pytest.fixture
def manager_client(sales_manager) -> Client:
    client = Client()
    client.force_login(sales_manager)
    return client

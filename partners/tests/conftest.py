import pytest

from partners.tests.portal_fixtures import partner_world


@pytest.fixture
def world_a(db):
    return partner_world(name="Acme Security", code="ACME-2026", email="pat@acme.example")


@pytest.fixture
def world_b(db):
    return partner_world(name="Bolt Networks", code="BOLT-7", email="kim@bolt.example")

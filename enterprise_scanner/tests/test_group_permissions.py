"""The staff groups' permissions, replayed from the migrations after a flush, are the ones a
migrated database has — every app's grant included, with no list to keep by hand."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from enterprise_scanner.group_permissions import replay_group_grants

pytestmark = pytest.mark.django_db


def group_permissions() -> dict[str, set[tuple[str, str]]]:
    return {
        group.name: {
            (p.content_type.app_label, p.codename) for p in group.permissions.select_related("content_type")
        }
        for group in Group.objects.all()
    }


def test_replaying_the_grants_after_a_flush_gives_the_groups_as_migrated() -> None:
    migrated = group_permissions()
    assert set(migrated) >= {"Sales rep", "Sales manager"}
    # One grant of each later migration, as a spot check that they were all found.
    manager = migrated["Sales manager"]
    for expected in [
        ("webhooks", "add_webhookendpoint"),
        ("alert_channels", "change_alertchannel"),
        ("assessments", "change_monitoredtarget"),
        ("partners", "view_partnerinvite"),
        ("chat", "add_cannedresponse"),
        ("leads", "view_nurturesequence"),
    ]:
        assert expected in manager

    Group.objects.all().delete()
    Permission.objects.all().delete()  # what a test database flush leaves: nothing
    replay_group_grants()

    assert group_permissions() == migrated

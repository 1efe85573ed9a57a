"""Granting model permissions to the staff groups from data migrations, and replaying those grants.

Every app that adds admin pages grants its permissions to "Sales rep" / "Sales manager" in a data
migration (the groups themselves are made by leads 0003_sales_groups). Two things make that
awkward, and this module does them once:

- Permissions are normally created after *all* migrations ran (post_migrate), so on a fresh
  database a migration that refers to them must create them first.
- Transactional tests (the browser tests) flush every table, groups and grants included, and the
  migrations do not run again. `replay_group_grants` runs every grant of every migration again,
  found by the `group_grant` mark, so a new migration cannot be forgotten in a hand-kept list.

Migrations import this module, so what `grant_to_groups` does must never change; a different
behaviour needs a new function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

GrantFunction = Callable[[Any, Any], None]


def group_grant(function: GrantFunction) -> GrantFunction:
    """Mark a migration's RunPython function as one that creates the staff groups or grants them
    permissions, so that `replay_group_grants` finds it."""
    function.grants_group_permissions = True  # type: ignore[attr-defined]
    return function


def create_app_permissions(apps: Any, app_label: str) -> None:
    """Create `app_label`'s model permissions now rather than after all migrations ran."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    previous = getattr(app_config, "models_module", None)
    app_config.models_module = True  # create_permissions skips apps without a models module
    try:
        create_permissions(app_config, verbosity=0)
    finally:
        app_config.models_module = previous


def grant_to_groups(apps: Any, app_label: str, permissions: Mapping[str, Iterable[str]]) -> None:
    """Add `app_label`'s permissions named in `permissions` ({group name: codenames}) to each
    group that exists (a database migrated without the groups gets nothing)."""
    create_app_permissions(apps, app_label)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in permissions.items():
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=list(codenames))
            )


def replay_group_grants() -> None:
    """Run every marked grant of every migration on disk again, in migration order, against the
    current models: the groups as a fully migrated database has them."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    seen: set[tuple[str, str]] = set()
    for leaf in sorted(graph.leaf_nodes()):
        for node in graph.forwards_plan(leaf):
            if node in seen:
                continue
            seen.add(node)
            for operation in graph.nodes[node].operations:
                if isinstance(operation, RunPython) and getattr(
                    operation.code, "grants_group_permissions", False
                ):
                    operation.code(apps, None)

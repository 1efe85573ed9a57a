"""The deploy files name management commands an operator copies as they are: every one must exist
and accept the options written next to it, or a cron line fails silently at 3 a.m."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class

DEPLOY_FILES = [
    "deploy/crontab",
    "Procfile",
    *sorted(str(p) for p in Path("deploy/systemd").glob("*.service")),
]
PRODUCTION_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
MANAGE_CALL = re.compile(r"manage\.py\s+([^&;|#\n\\]+)")


def manage_calls(relative: str) -> list[list[str]]:
    text = (Path(settings.BASE_DIR) / relative).read_text()
    text = re.sub(r"^\s*#.*$", "", text, flags=re.MULTILINE)  # comments
    return [shlex.split(match.group(1)) for match in MANAGE_CALL.finditer(text)]


def all_calls() -> list[tuple[str, list[str]]]:
    return [(relative, call) for relative in DEPLOY_FILES for call in manage_calls(relative)]


def test_the_crontab_schedules_every_recurring_job() -> None:
    scheduled = {call[0] for call in manage_calls("deploy/crontab")}
    assert {
        "send_followup_reminders",
        "send_nurture",
        "recover_stale_assessments",
        "recover_stale_jobs",
        "rollup_analytics",
        "rollup_chats",
        "purge_events",
        "clearsessions",
        "prune_db_task_results",
        "retry_alert_deliveries",
        "prune_webhook_events",
    } <= scheduled


@pytest.mark.parametrize(
    ("relative", "call"), all_calls(), ids=lambda v: " ".join(v) if isinstance(v, list) else v
)
def test_each_command_in_the_deploy_files_exists_and_takes_its_options(
    relative: str, call: list[str], settings
) -> None:
    settings.TASKS = PRODUCTION_TASKS  # db_worker and prune_db_task_results insist on it
    name, *arguments = call
    commands = get_commands()
    assert name in commands, f"{relative} runs `manage.py {name}`, which does not exist"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    parser.parse_args(arguments)  # argparse exits (SystemExit) on an unknown or malformed option

"""First run (issue 14, item 7): `make run PORT=8101` serves a live landing page, and the README's
`manage.py` commands work outside make because `make run` writes a development `.env` once."""

from __future__ import annotations

import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from analytics.models import Website
from demo.specs.websites import DEMO_WEBSITE_NAME, demo_origins

REPO = Path(__file__).resolve().parents[2]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_allows_the_port_the_site_is_served_on(client):
    """Before: the demo website allowed only port 8000, so the page on 8101 embedded no kit."""
    seed()
    inert = client.get("/", HTTP_HOST="127.0.0.1:8101")
    assert b"data-site-key" not in inert.content
    assert b"seed_demo --port 8101" in inert.content  # the hint names the command that fixes it

    output = seed("--port", "8101")
    website = Website.objects.get(name=DEMO_WEBSITE_NAME)
    assert {"http://localhost:8101", "http://127.0.0.1:8101", "http://localhost:8000"} <= set(
        website.allowed_origins
    )
    assert "now also allows http://localhost:8101, http://127.0.0.1:8101" in output
    live = client.get("/", HTTP_HOST="127.0.0.1:8101")
    assert f'data-site-key="{website.publishable_key}"'.encode() in live.content
    assert "now also allows" not in seed("--port", "8101")  # a second run adds nothing


@pytest.mark.django_db
def test_seed_demo_refuses_a_port_that_is_not_one():
    with pytest.raises(CommandError, match="not a TCP port"):
        seed("--port", "70000")


def test_demo_origins_for_each_kind_of_bind_address():
    assert demo_origins(host="127.0.0.1", port=8101) == ["http://localhost:8101", "http://127.0.0.1:8101"]
    assert demo_origins(host="0.0.0.0", port=8080) == ["http://localhost:8080", "http://127.0.0.1:8080"]  # noqa: S104
    assert demo_origins(host="192.168.1.20", port=8080)[-1] == "http://192.168.1.20:8080"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_writes_a_development_env_once_and_passes_its_port(tmp_path):
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    subprocess.run(["make", "-s", ".env"], cwd=tmp_path, check=True, capture_output=True)
    env_file = tmp_path / ".env"
    assert "DEBUG=true" in env_file.read_text().splitlines()
    env_file.write_text("DEBUG=false\nSECRET_KEY=mine\n")  # the developer's own file
    subprocess.run(["make", "-s", ".env"], cwd=tmp_path, check=True, capture_output=True)
    assert env_file.read_text() == "DEBUG=false\nSECRET_KEY=mine\n"  # never overwritten

    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8101", "BIN=.venv/bin"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "manage.py seed_demo --port 8101 --host 127.0.0.1" in dry

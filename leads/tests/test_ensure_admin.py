"""`manage.py ensure_admin` makes sure a superuser exists and tells how to log in."""

from __future__ import annotations

import stat
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db

User = get_user_model()


def ensure_admin(*args: str) -> str:
    out = StringIO()
    call_command("ensure_admin", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    return tmp_path / "var" / "admin-password.txt"


@pytest.fixture
def no_env_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)


def test_password_from_the_environment_is_used_and_never_printed(monkeypatch, password_file):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "env-Secret-pass-4821")

    output = ensure_admin("--password-file", str(password_file))

    user = User.objects.get(username="admin")
    assert user.is_superuser and user.is_staff and user.is_active
    assert user.check_password("env-Secret-pass-4821")
    assert "env-Secret-pass-4821" not in output
    assert "Admin login: admin / (password from DJANGO_SUPERUSER_PASSWORD)" in output
    assert not password_file.exists()


def test_password_from_the_environment_resets_an_existing_user(monkeypatch, password_file):
    User.objects.create_superuser(username="boss", email="", password="old-password-1234")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "new-Secret-pass-9313")

    output = ensure_admin("--username", "boss", "--password-file", str(password_file))

    assert User.objects.filter(username="boss").count() == 1
    assert User.objects.get(username="boss").check_password("new-Secret-pass-9313")
    assert "new-Secret-pass-9313" not in output


@pytest.mark.usefixtures("no_env_password")
def test_generated_password_is_saved_privately_and_shown_again(password_file):
    first = ensure_admin("--password-file", str(password_file))

    password = password_file.read_text().strip()
    assert len(password) >= 16
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert f"Admin login: admin / {password}" in first
    assert str(password_file) in first
    user = User.objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)

    second = ensure_admin("--password-file", str(password_file))

    assert f"Admin login: admin / {password}" in second
    assert User.objects.filter(username="admin").count() == 1
    assert User.objects.get(username="admin").check_password(password)


@pytest.mark.usefixtures("no_env_password")
def test_existing_user_without_saved_password_gets_reset_instructions(password_file):
    User.objects.create_superuser(username="admin", email="", password="kept-private-5521")

    output = ensure_admin("--password-file", str(password_file))

    assert "already exists" in output
    assert "DJANGO_SUPERUSER_PASSWORD=" in output
    assert "changepassword admin" in output
    assert not password_file.exists()
    assert User.objects.get(username="admin").check_password("kept-private-5521")


@pytest.mark.usefixtures("no_env_password")
def test_stale_saved_password_is_not_shown_as_the_login(password_file):
    User.objects.create_superuser(username="admin", email="", password="changed-since-7781")
    password_file.parent.mkdir()
    password_file.write_text("old-generated-password\n")

    output = ensure_admin("--password-file", str(password_file))

    assert "Admin login: admin / old-generated-password" not in output
    assert "no longer works" in output


# --- The admin's e-mail address (the reminder digest needs one) --------------------------------------


def test_email_from_the_environment_is_set_on_a_new_admin(monkeypatch, no_env_password, password_file):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "boss@example.com")
    output = ensure_admin("--password-file", str(password_file))
    assert User.objects.get(username="admin").email == "boss@example.com"
    assert "no e-mail address" not in output


def test_an_existing_admin_without_an_address_gets_the_one_given(no_env_password, password_file):
    ensure_admin("--password-file", str(password_file))
    assert User.objects.get(username="admin").email == ""

    output = ensure_admin("--password-file", str(password_file), "--email", "ops@example.com")

    assert User.objects.get(username="admin").email == "ops@example.com"
    assert 'E-mail address of "admin" set to ops@example.com.' in output


def test_an_admin_without_an_address_is_told_so(monkeypatch, no_env_password, password_file):
    monkeypatch.delenv("DJANGO_SUPERUSER_EMAIL", raising=False)
    output = ensure_admin("--password-file", str(password_file))
    assert '"admin" has no e-mail address' in output and "DJANGO_SUPERUSER_EMAIL" in output


def test_a_bad_address_is_refused(no_env_password, password_file):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not an e-mail address"):
        ensure_admin("--password-file", str(password_file), "--email", "not-an-address")
    assert not User.objects.exists()

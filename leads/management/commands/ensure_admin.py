"""`manage.py ensure_admin`: make sure a superuser exists, so /admin/ is usable at once.

With DJANGO_SUPERUSER_PASSWORD set, that password is used (the user is created or its password
reset) and never printed. Without it, a first run generates a password, saves it to
var/admin-password.txt (mode 0600) and prints it; later runs print it again from that file.

The e-mail address comes from `--email` or DJANGO_SUPERUSER_EMAIL (the variable Django's
`createsuperuser` reads) and is set on the user, new or existing. An admin without one is told
so: reminder digests (unassigned leads' tasks go to the managers, else the superusers) and
alerts cannot reach it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

PASSWORD_ENV = "DJANGO_SUPERUSER_PASSWORD"  # noqa: S105 (the variable's name, not a password)
EMAIL_ENV = "DJANGO_SUPERUSER_EMAIL"


def default_password_file() -> Path:
    return Path(settings.BASE_DIR) / "var" / "admin-password.txt"


def write_secret_file(path: Path, content: str) -> None:
    """Write `content` to `path` readable by the owner only (0600), creating the folder (0700)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(content + "\n")
    path.chmod(0o600)  # also when the file already existed with wider permissions


class Command(BaseCommand):
    help = (
        "Make sure a superuser exists. Uses DJANGO_SUPERUSER_PASSWORD when set; otherwise generates a "
        "password on first run and saves it to var/admin-password.txt (mode 0600)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin", help="Default: admin.")
        parser.add_argument(
            "--email",
            default=None,
            help=f"E-mail address of the user (set on a new or existing user). Default: ${EMAIL_ENV}.",
        )
        parser.add_argument(
            "--password-file",
            type=Path,
            default=None,
            help="Where a generated password is kept. Default: var/admin-password.txt under BASE_DIR.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        email = (options["email"] if options["email"] is not None else os.environ.get(EMAIL_ENV, "")).strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"{email!r} is not an e-mail address (--email / {EMAIL_ENV}).") from None
        password_file: Path = options["password_file"] or default_password_file()
        env_password = os.environ.get(PASSWORD_ENV, "")
        if env_password:
            self._from_environment(username, email, env_password)
        else:
            self._generated(username, email, password_file)
        self._email(username, email)

    def _email(self, username: str, email: str) -> None:
        """Give the user the address asked for; say so when it has none."""
        User = get_user_model()
        user = User._default_manager.get(**{User.USERNAME_FIELD: username})
        if email and user.email != email:
            user.email = email
            user.save(update_fields=["email"])
            self.stdout.write(f'E-mail address of "{username}" set to {email}.')
        elif not user.email:
            self.stdout.write(
                self.style.WARNING(
                    f'"{username}" has no e-mail address, so reminder digests and alerts cannot reach it. '
                    f"Set one with --email or {EMAIL_ENV}."
                )
            )

    def _from_environment(self, username: str, email: str, password: str) -> None:
        User = get_user_model()
        with transaction.atomic():
            user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
            if user is None:
                User._default_manager.create_superuser(username=username, email=email, password=password)
                self.stdout.write(self.style.SUCCESS(f'Created superuser "{username}".'))
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
                self.stdout.write(f'Superuser "{username}" exists; password set from {PASSWORD_ENV}.')
                self._warn_if_not_superuser(user)
        self.stdout.write(f"Admin login: {username} / (password from {PASSWORD_ENV})")

    def _generated(self, username: str, email: str, password_file: Path) -> None:
        User = get_user_model()
        user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            with transaction.atomic():
                User._default_manager.create_superuser(username=username, email=email, password=password)
                write_secret_file(password_file, password)
            self.stdout.write(self.style.SUCCESS(f'Created superuser "{username}".'))
            self.stdout.write(f"Admin login: {username} / {password}")
            self.stdout.write(f"(password saved to {password_file}, readable only by you)")
            return

        self._warn_if_not_superuser(user)
        saved = password_file.read_text(encoding="utf-8").strip() if password_file.is_file() else ""
        if saved and user.check_password(saved):
            self.stdout.write(f"Admin login: {username} / {saved}")
            self.stdout.write(f"(password from {password_file})")
            return
        if saved:
            self.stdout.write(
                self.style.WARNING(f'The password in {password_file} no longer works for "{username}".')
            )
        else:
            self.stdout.write(f'Superuser "{username}" already exists; its password is not stored here.')
        self.stdout.write(
            f"To reset it: {PASSWORD_ENV}=... python manage.py ensure_admin --username {username}\n"
            f"         or: python manage.py changepassword {username}"
        )

    def _warn_if_not_superuser(self, user: Any) -> None:
        if not (user.is_active and user.is_staff and user.is_superuser):
            self.stdout.write(
                self.style.WARNING(
                    f'User "{user.get_username()}" is not an active superuser; it cannot use all of /admin/.'
                )
            )

"""The settings module refuses unsafe production configuration and passes Django's deploy check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
GOOD_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP"


def run_django(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` after django.setup() in a fresh interpreter with exactly these settings vars."""
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    clean.update(
        {"DJANGO_SETTINGS_MODULE": "enterprise_scanner.settings", "DATABASE_URL": "sqlite://:memory:"}
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("secret_key", "reason"),
    [
        (None, "SECRET_KEY is not set"),
        ("", "SECRET_KEY is not set"),
        ("django-insecure-enterprise-scanner-development-only", "development default"),
        ("django-insecure-abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop", "development default"),
        ("short", "too short"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_key(secret_key: str | None, reason: str) -> None:
    env = {"DEBUG": "false"}
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    result = run_django("print('started')", **env)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert reason in result.stderr


def test_production_starts_with_a_real_secret_key() -> None:
    result = run_django("print('started')", DEBUG="false", SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_development_mode_starts_without_a_secret_key() -> None:
    result = run_django("from django.conf import settings; print(settings.SECRET_KEY[:15])", DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert "django-insecure" in result.stdout


def test_deploy_check_reports_nothing_in_production_mode() -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECURE_SSL_REDIRECT", "STATIC_MANIFEST"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="enterprise_scanner.settings",
        DEBUG="false",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="crm.example.com",
        DATABASE_URL="sqlite://:memory:",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_redis_url_switches_cache_and_channel_layer() -> None:
    result = run_django(
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND']); print(settings.CHANNEL_LAYERS['default']['BACKEND'])",
        DEBUG="true",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "django.core.cache.backends.redis.RedisCache" in result.stdout
    assert "channels_redis.core.RedisChannelLayer" in result.stdout


def test_postgres_url_uses_psycopg_pool_without_persistent_connections() -> None:
    result = run_django(
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['CONN_MAX_AGE'], 'pool' in d['OPTIONS'])",
        DEBUG="true",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/enterprise_scanner",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "0", "True"]


def test_unknown_task_backend_is_refused() -> None:
    result = run_django("print('started')", DEBUG="true", TASK_BACKEND="celery")
    assert result.returncode != 0
    assert "TASK_BACKEND must be one of" in result.stderr


def test_sqlite_connections_are_kept_between_requests() -> None:
    result = run_django(
        "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])",
        DEBUG="true",
        DATABASE_URL="sqlite:////tmp/enterprise-scanner-settings-test.sqlite3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None"]


@pytest.mark.parametrize("slashes", ["///", "////"])
def test_a_filemail_url_with_three_or_four_slashes_writes_to_that_absolute_directory(
    tmp_path: Path, slashes: str
) -> None:
    """Issue 12: `EMAIL_URL=filemail:///tmp/mail`, as the README shows, wrote under the working
    directory (django-environ dropped the leading slash)."""
    outbox = tmp_path / "mail"
    code = (  # sends only to an absolute path, so a failure leaves nothing in the working directory
        "import os; from django.conf import settings; from django.core.mail import send_mail; "
        "print(settings.EMAIL_FILE_PATH); assert os.path.isabs(settings.EMAIL_FILE_PATH); "
        "send_mail('Hi', 'Body', 'a@example.com', ['b@example.com'])"
    )
    result = run_django(code, DEBUG="true", EMAIL_URL=f"filemail:{slashes}{str(outbox).lstrip('/')}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(outbox)
    [message] = list(outbox.iterdir())
    assert "Subject: Hi" in message.read_text()

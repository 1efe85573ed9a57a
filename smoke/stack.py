"""The product started as it is deployed, for checks from outside (`make smoke-prod`).

A scratch PostgreSQL database, a private `redis-server` on a free loopback port, `DEBUG=false`
production settings, daphne serving HTTPS and secure websockets with a throwaway certificate
authority (trustme), and `db_worker` processes, each a separate OS process as in production.
Checks talk to it only over real sockets (HTTP, websockets) and read the database and the e-mails
it wrote, so nothing in-process can hide what the deployed shape does: an idle socket on Redis,
a worker killed mid-job, Redis going away.

Every process this module starts is stopped by `Stack.stop()`, and every wait is bounded.
"""

from __future__ import annotations

import email
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from email.message import Message
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psycopg
import trustme

from enterprise_scanner.tests.redis_server import redis_server_argv

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADMIN_PG_URL = os.environ.get("SMOKE_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")

#: The customer website that embeds our kit in these checks (its publishable key allows it).
CUSTOMER_ORIGIN = "https://www.smoke-customer.example"

T = TypeVar("T")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (bind to 0 and read what the kernel chose)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wait_until(predicate: Callable[[], T], *, timeout: float, what: str, interval: float = 0.2) -> T:
    """Poll `predicate` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except Exception as exc:  # noqa: BLE001 - a service coming up refuses connections
            last_error = exc
        else:
            if value:
                return value
        time.sleep(interval)
    raise TimeoutError(f"Timed out after {timeout:.0f}s waiting for {what} (last error: {last_error!r})")


class Process:
    """One long-running OS process of the stack, with its output in a log file."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        log = self.log_path.open("ab")
        log.write(f"\n==== start {' '.join(self.argv)} ====\n".encode())
        log.flush()
        # A session of its own, so a signal reaches the process only, never the test runner.
        self.popen = subprocess.Popen(
            self.argv,
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL, *, timeout: float = 30) -> None:
        """Send `sig` and wait for the process to be gone (SIGKILL after `timeout` s)."""
        if not self.alive():
            return
        assert self.popen is not None
        self.popen.send_signal(sig)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=10)

    def stop(self) -> None:
        self.kill(signal.SIGTERM, timeout=15)

    def restart(self) -> Process:
        self.stop()
        return self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class PrivateRedis(Process):
    """A redis-server of these checks alone (the shared one must never be killed), no persistence:
    killed and started again it comes back empty, as a crashed cache server does."""

    def __init__(self, *, log_dir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        argv = redis_server_argv(self.port, log_dir)
        super().__init__("redis", argv, env=env, log_dir=log_dir)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        super().start()
        wait_until(self._pong, timeout=15, what="redis-server to answer PING")
        return self

    def _pong(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")


class Stack:
    """PostgreSQL + private Redis + daphne (HTTPS) + db_worker, all production settings."""

    def __init__(
        self, work_dir: Path, *, extra_env: dict[str, str] | None = None, db_prefix: str = "es_smoke"
    ) -> None:
        self.work_dir = work_dir
        self.log_dir = work_dir / "logs"
        self.mail_dir = work_dir / "mail"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.db_name = f"{db_prefix}_{secrets.token_hex(4)}"
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.ws_url = f"wss://127.0.0.1:{self.port}"
        self.origin = CUSTOMER_ORIGIN
        self._certificates()
        base_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
        for name in ("DATABASE_URL", "REDIS_URL", "TASK_BACKEND", "EMAIL_URL", "TEST_DATABASE_NAME"):
            base_env.pop(name, None)
        self.redis = PrivateRedis(log_dir=self.log_dir, env=base_env)
        self.env: dict[str, str] = {
            **base_env,
            "DJANGO_SETTINGS_MODULE": "enterprise_scanner.settings",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{self.db_name}",
            "REDIS_URL": self.redis.url,
            "CHANNELS_PREFIX": f"smoke{self.port}",
            "TASK_BACKEND": "database",
            # Four slashes: an absolute path in django-environ's file e-mail URL.
            "EMAIL_URL": f"filemail:///{self.mail_dir}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": self.url,
            "SITE_URL": self.url,
            "SALES_ALERT_EMAIL": "sales@smoke.example",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            # A short job lease, so a killed worker's job is re-run (and /healthz reports it
            # stuck) within seconds rather than the production minute (smoke/test_jobs.py).
            "TASK_LEASE_SECONDS": "5",
            # The webhook and chat-tool receivers of these checks listen on loopback over http,
            # which production refuses (enterprise_scanner/outbound.py); nothing else changes.
            "OUTBOUND_ALLOW_PRIVATE_TARGETS": "true",
            **(extra_env or {}),
        }
        self.daphne = Process(
            "daphne",
            [
                str(BIN / "daphne"),
                "-e",
                f"ssl:port={self.port}:interface=127.0.0.1:privateKey={self.key_file}:certKey={self.cert_file}",
                "--no-server-name",  # as Procfile and deploy/systemd: no `Server: daphne` banner
                "enterprise_scanner.asgi:application",
            ],
            env=self.env,
            log_dir=self.log_dir,
        )
        self.workers: list[Process] = []
        self.site_key = ""
        self.api_key = ""

    # --- lifecycle ------------------------------------------------------------------------------

    def _certificates(self) -> None:
        """A throwaway CA and a certificate for 127.0.0.1/localhost, trusted by these checks only."""
        self.ca = trustme.CA()
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.cert_file = self.work_dir / "server.pem"
        self.key_file = self.work_dir / "server.key"
        self.ca_file = self.work_dir / "ca.pem"
        cert.cert_chain_pems[0].write_to_path(str(self.cert_file))
        for extra in cert.cert_chain_pems[1:]:
            with self.cert_file.open("ab") as chain:
                chain.write(extra.bytes())
        cert.private_key_pem.write_to_path(str(self.key_file))
        self.ca.cert_pem.write_to_path(str(self.ca_file))

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context

    def start(self) -> Stack:
        self.redis.start()
        with psycopg.connect(ADMIN_PG_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self._seed()
        self.daphne.start()
        wait_until(self._healthy, timeout=60, what="daphne to serve /healthz")
        self.start_worker()
        return self

    def stop(self) -> None:
        for process in [*self.workers, self.daphne, self.redis]:
            process.stop()
        try:
            with psycopg.connect(ADMIN_PG_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        except psycopg.Error as exc:  # leave a scratch database rather than hide the test's result
            print(f"smoke: could not drop {self.db_name}: {exc}", file=sys.stderr)

    def start_worker(self, *args: str) -> Process:
        """One more `manage.py db_worker` process (extra arguments passed on)."""
        name = f"worker{len(self.workers) + 1}"
        argv = [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", *args]
        worker = Process(name, argv, env=self.env, log_dir=self.log_dir).start()
        self.workers.append(worker)
        return worker

    def _healthy(self) -> bool:
        return self.client().get("/healthz").status_code == 200

    # --- data and commands ----------------------------------------------------------------------

    def manage(self, *args: str, env: dict[str, str] | None = None, check: bool = True, timeout: float = 300):
        """Run a manage.py command in the stack's environment; its output is returned."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            tail = "\n".join(result.stderr.splitlines()[-25:])
            raise RuntimeError(f"manage.py {' '.join(args)[:200]} failed:\n{result.stdout[-2000:]}\n{tail}")
        return result

    def python(self, code: str) -> str:
        """Run Django code (`manage.py shell -c`) in the stack's environment; returns its stdout."""
        return self.manage("shell", "-c", code).stdout

    def _seed(self) -> None:
        out = self.python(
            "from analytics.services import website_create\n"
            f"w = website_create(name='Smoke customer', allowed_origins=[{self.origin!r}])\n"
            "from enterprise_scanner.api.services import api_key_create\n"
            "k, raw = api_key_create(name='smoke', scopes=['leads:read', 'leads:write'])\n"
            "print('SITE_KEY=' + w.publishable_key)\n"
            "print('API_KEY=' + raw)\n"
        )
        self.site_key = re.search(r"SITE_KEY=(\S+)", out).group(1)
        self.api_key = re.search(r"API_KEY=(\S+)", out).group(1)

    def sql(self, query: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of `query` run on the stack's database (a connection of its own, autocommit)."""
        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as conn:
            cursor = conn.execute(query, tuple(params))
            return cursor.fetchall() if cursor.description else []

    def mails(self) -> list[Message]:
        """Every e-mail the stack has sent (Django's file backend writes one log file per
        connection, messages separated by a line of dashes)."""
        messages: list[Message] = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in re.split(r"\n-{79}\n", path.read_text(errors="replace")):
                if chunk.strip():
                    messages.append(email.message_from_string(chunk.lstrip("\n")))
        return messages

    # --- clients --------------------------------------------------------------------------------

    def client(self, **kwargs: Any) -> httpx.Client:
        """An HTTPS client for the stack that trusts its certificate authority."""
        kwargs.setdefault("timeout", 15)
        return httpx.Client(base_url=self.url, verify=self.ssl_context(), **kwargs)

    def site_headers(self, **extra: str) -> dict[str, str]:
        """Headers of a request the customer's website makes with its publishable key."""
        return {"X-Site-Key": self.site_key, "Origin": self.origin, **extra}

    def api_headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Api-Key {self.api_key}", **extra}

    def staff_login(self, username: str, role: str = "Sales rep") -> httpx.Client:
        """A client logged into the admin as `username` (created with `role`'s group on first use)
        through the real login form, CSRF token and all."""
        password = secrets.token_urlsafe(16)
        self.python(
            "from django.contrib.auth.models import Group, User\n"
            f"u, _ = User.objects.get_or_create(username={username!r}, defaults={{'is_staff': True, "
            f"'email': '{username}@smoke.example'}})\n"
            f"u.set_password({password!r}); u.is_staff = True; u.save()\n"
            f"u.groups.set([Group.objects.get(name={role!r})])\n"
        )
        client = self.client(headers={"Origin": self.url, "Referer": f"{self.url}/admin/login/"})
        page = client.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = client.post(
            "/admin/login/?next=/admin/",
            data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        if response.status_code != 302:
            raise RuntimeError(f"admin login as {username} failed: {response.status_code}")
        return client

    def cookie_header(self, client: httpx.Client) -> str:
        """The Cookie header a browser logged in like `client` sends (for websockets)."""
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())

    def clear_cache(self) -> None:
        """Empty the stack's cache (the per-IP throttle counters), for checks that use up the budget."""
        self.python("from django.core.cache import cache\ncache.clear()")

    def wait_until(self, predicate: Callable[[], T], timeout: float, what: str, interval: float = 0.2) -> T:
        return wait_until(predicate, timeout=timeout, what=what, interval=interval)

    def logs(self) -> str:
        """Every process's log, for a failing check's message."""
        parts = [f"---- {p.name} ----\n{p.log()[-4000:]}" for p in [self.daphne, *self.workers, self.redis]]
        return "\n".join(parts)

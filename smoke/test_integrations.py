"""Issue 17's integrations, as deployed: webhooks, Slack alerts, nurture e-mail, the partner portal.

Everything goes through the deployed stack from outside: leads are submitted over HTTPS to daphne,
the `db_worker` processes deliver, and receivers are real HTTP servers on loopback
(`smoke/receiver.py`). A worker is SIGKILLed while a receiver holds its webhook request open, and
the receiver first answers 500: in the end the receiver accepted the event exactly once, every
request carried the same `webhook-id` and a signature that verifies with the secret shown once.

Each check switches off what it set up (endpoint, channels, sequence) before it ends, so the
checks after it (killed workers in `test_jobs.py`) see only their own jobs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import signal
from collections.abc import Iterator
from email.message import Message

import httpx
import pytest

from .receiver import Receiver, running
from .stack import Stack


def submit(stack: Stack, *, source_ip: str, **fields: object) -> None:
    """One lead through the public intake API, from its own loopback address (per-IP limits)."""
    transport = httpx.HTTPTransport(local_address=source_ip, verify=stack.ssl_context())
    with stack.client(transport=transport) as client:
        response = client.post("/api/v1/leads/", headers=stack.site_headers(), json=fields)
    assert response.status_code == 201, response.text


def body_text(message: Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    texts = []
    for part in parts:
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(texts)


def script_src(response: httpx.Response) -> str:
    """The page's script policy (styles allow inline attributes site-wide; scripts never)."""
    directives = [d.strip() for d in response.headers["Content-Security-Policy"].split(";")]
    return next(d for d in directives if d.startswith("script-src "))


def signature_ok(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The Standard Webhooks check a receiver makes, written here from the specification."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, given) for given in headers["webhook-signature"].split())


def test_a_webhook_is_accepted_once_through_a_killed_worker_and_a_500(stack: Stack) -> None:
    receiver = Receiver(script=[503, 500, 200], hold_first=25)
    with running(receiver):
        out = stack.python(
            "from django.contrib.auth.models import User\n"
            "from enterprise_scanner.webhooks.services import webhook_endpoint_create\n"
            "owner = User.objects.create_superuser('hookowner', 'hookowner@smoke.example', None)\n"
            f"endpoint, secret = webhook_endpoint_create(url='{receiver.url}/in', events=['lead.created'],"
            " owner=owner)\n"
            "print('SECRET=' + secret)\n"
        )
        secret = re.search(r"SECRET=(\S+)", out).group(1)
        submit(
            stack,
            source_ip="127.0.0.31",
            email="hook.ciso@smoke-hooks.example",
            first_name="Hook",
            last_name="Smoke",
            form="contact",
        )
        stack.wait_until(lambda: receiver.requests, timeout=60, what="the first webhook request")
        # The worker is waiting for the receiver's answer: kill it there and start another.
        held_by = [w for w in stack.workers if w.alive()]
        for worker in held_by:
            worker.kill(signal.SIGKILL)
        stack.start_worker()
        # Lease over → the job re-runs; the receiver answers 500, then 200 after the back-off (~30 s).
        stack.wait_until(lambda: receiver.accepted(), timeout=150, what="the webhook to be accepted")

    accepted = receiver.accepted()
    assert len(accepted) == 1, [r.answered for r in receiver.requests]
    assert len(receiver.requests) == 3
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    for request in receiver.requests:
        assert signature_ok(secret, request.headers, request.body)
    event = json.loads(accepted[0].body)
    assert (
        event["type"] == "lead.created" and event["data"]["lead"]["email"] == "hook.ciso@smoke-hooks.example"
    )
    assert stack.sql(
        "SELECT d.status FROM webhooks_webhookdelivery d JOIN webhooks_webhookevent e ON e.sequence = d.event_id"
        " WHERE e.type = 'lead.created'"
    ) == [("delivered",)]


@pytest.fixture(autouse=True)
def switch_off_what_the_check_set_up(stack: Stack) -> Iterator[None]:
    yield
    stack.sql("UPDATE webhooks_webhookendpoint SET active = false")
    stack.sql("UPDATE alert_channels_alertchannel SET is_active = false")
    stack.sql(
        "UPDATE alert_channels_alertdelivery SET status = 'failed', next_attempt_at = NULL WHERE status = 'pending'"
    )
    stack.sql("UPDATE leads_nurturesequence SET is_active = false")


def test_a_hot_lead_reaches_slack_and_the_email_goes_although_another_channel_is_down(stack: Stack) -> None:
    receiver = Receiver(script=[200])
    with running(receiver):
        stack.python(
            "from enterprise_scanner.alert_channels.models import AlertChannel\n"
            f"AlertChannel.objects.create(name='#smoke-hot', kind='slack', webhook_url='{receiver.url}/services/T/B/x')\n"
            "AlertChannel.objects.create(name='Down', kind='teams', webhook_url='http://127.0.0.1:9/down')\n"
        )
        submit(
            stack,
            source_ip="127.0.0.32",
            email="slack.ciso@jpmorganchase.com",
            first_name="Slacky",
            last_name="Smoke",
            job_title="Chief Information Security Officer",
            form="demo_request",
            employee_count=50000,
        )
        stack.wait_until(lambda: receiver.accepted(), timeout=60, what="the Slack message")
        stack.wait_until(
            lambda: any("Slacky Smoke" in str(m["Subject"]) for m in stack.mails()),
            timeout=60,
            what="the hot-lead e-mail",
        )
    assert len(receiver.requests) == 1
    message = json.loads(receiver.requests[0].body)
    assert "Slacky Smoke" in message["text"] and message["blocks"]
    assert sum("Slacky Smoke" in str(m["Subject"]) for m in stack.mails()) == 1
    statuses = dict(
        stack.sql(
            "SELECT c.name, d.status FROM alert_channels_alertdelivery d"
            " JOIN alert_channels_alertchannel c ON c.id = d.channel_id WHERE d.subject_label LIKE 'Slacky%%'"
        )
    )
    assert statuses["#smoke-hot"] == "delivered" and statuses["Down"] != "delivered"


def test_nurture_email_unsubscribes_with_one_click(stack: Stack) -> None:
    stack.python(
        "from leads.nurture.models import NurtureSequence, NurtureStep\n"
        "s = NurtureSequence.objects.create(name='Smoke welcome', trigger='form_submitted', is_active=True)\n"
        "NurtureStep.objects.create(sequence=s, subject='Welcome {{ first_name }}',"
        " text_template='Hello {{ first_name }}, thanks for asking.')\n"
    )
    submit(
        stack,
        source_ip="127.0.0.33",
        email="nurture.reader@smoke-nurture.example",
        first_name="Nora",
        last_name="Smoke",
        form="contact",
        consent_marketing=True,
    )
    submit(
        stack,
        source_ip="127.0.0.33",
        email="no.consent@smoke-nurture.example",
        first_name="Nils",
        last_name="Smoke",
        form="contact",
    )
    stack.manage("send_nurture")
    welcome = [m for m in stack.mails() if str(m["Subject"]).startswith("Welcome ")]
    assert [str(m["Subject"]) for m in welcome] == ["Welcome Nora"]
    message = welcome[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.search(r"<(https://[^>]+)>", message["List-Unsubscribe"]).group(1)
    assert link.startswith(stack.url + "/u/")
    path = link.removeprefix(stack.url)

    with stack.client() as client:
        page = client.get(path)
        assert page.status_code == 200 and "<form" in page.text
        assert "'unsafe-inline'" not in script_src(page)
        # RFC 8058: what a mail client posts, with no cookie and no CSRF token.
        assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
        assert client.get("/u/not-a-real-token/").status_code == 400
    assert stack.sql(
        "SELECT marketing_unsubscribed_at IS NOT NULL FROM leads_lead WHERE email = %s",
        ["nurture.reader@smoke-nurture.example"],
    ) == [(True,)]
    stack.manage("send_nurture")
    assert len([m for m in stack.mails() if str(m["Subject"]).startswith("Welcome ")]) == 1


def test_a_partner_accepts_an_invite_and_sees_only_its_portal(stack: Stack) -> None:
    stack.python(
        "from partners.models import Partner\n"
        "from partners.portal.services import invite_create\n"
        "p = Partner.objects.create(name='Smoke Partner', referral_code='SMOKE-P1', status='active')\n"
        "Partner.objects.create(name='Other Partner', referral_code='OTHER-P2', status='active')\n"
        "invite_create(partner=p, email='pat@smoke-partner.example', invited_by=None, role='owner')\n"
    )

    def invite_link() -> str | None:
        for message in stack.mails():
            if match := re.search(r"/partners/invite/([A-Za-z0-9_\-]+)/", body_text(message)):
                return match.group(0)
        return None

    path = stack.wait_until(invite_link, timeout=60, what="the invitation e-mail")
    with stack.client(headers={"Origin": stack.url, "Referer": stack.url + path}) as client:
        page = client.get(path)
        assert page.status_code == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        accepted = client.post(
            path,
            data={
                "csrfmiddlewaretoken": token,
                "first_name": "Pat",
                "last_name": "Partner",
                "password1": "a-Long-smoke-passphrase-42",
                "password2": "a-Long-smoke-passphrase-42",
            },
        )
        assert accepted.status_code == 302, accepted.text[:500]
        overview = client.get("/partners/")
        assert overview.status_code == 200 and "SMOKE-P1" in overview.text and "OTHER-P2" not in overview.text
        assert "'unsafe-inline'" not in script_src(overview)
        stylesheet = re.search(r'href="(/static/[^"]+portal[^"]*\.css)"', overview.text).group(1)
        assert client.get(stylesheet).status_code == 200
        assert client.get("/partners/leads/").status_code == 200
        # A partner account is not staff: the CRM sends it to its login page.
        admin = client.get("/admin/")
        assert admin.status_code == 302 and "/admin/login/" in admin.headers["Location"]
    # The invitation link works once.
    with stack.client() as client:
        assert client.get(path).status_code in (404, 410)

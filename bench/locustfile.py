"""The mixed load of `bench/soak_mixed.py`: the people a small deployment serves at once.

Started by soak_mixed.py as `locust --headless -f bench/locustfile.py`; everything it needs comes in
environment variables (SOAK_*), so it can also be pointed by hand at a stack that is running:

- SOAK_HOSTS: the daphne base URLs, comma-separated (users are spread over them in turn, as a
  load balancer would);
- SOAK_SITE_KEY, SOAK_ORIGIN: the customer website's publishable key and origin;
- SOAK_CA: the certificate authority that signed daphne's certificate;
- SOAK_PASSWORD, SOAK_REPS, SOAK_AGENTS: the staff password and the usernames of the reps paging
  the admin and of the agents in the chat console;
- SOAK_OUT: where the client-side record goes at the end (what each user was told was stored:
  leads answered 201, chat messages acknowledged, tracker events accepted; the latencies per
  endpoint; every failure). soak_mixed.py compares it with the database.

Who is simulated (weights in `SoakShape`):
- `WebsiteVisitor`: the website script. Page views posted to the tracker (the most frequent
  request), now and then a form submission (`POST /api/v1/leads/`) or an ROI calculation;
- `ChatVisitor`: opens the chat widget's socket, says hello, asks 2–6 questions with 2–6 s of
  thinking before each (ack and bot answer timed), sometimes asks for a person (then waits for
  the agent), closes the chat and comes back later as a new visitor;
- `Agent`: logged into the admin, the chat console page and its socket: claims waiting chats,
  answers them, closes them;
- `SalesRep`: logged into the admin through the login form (CSRF as a browser), pages through
  the lead list, filters, searches and opens lead pages.

Each visitor comes from an address of its own (`X-Forwarded-For`, as the reverse proxy in front
of daphne writes it; the stack runs with NUM_PROXIES=1), so the per-IP limits apply per person.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import re
import ssl
import threading
import time
import uuid
from typing import Any

import websocket
from locust import HttpUser, between, events, task
from locust.exception import StopUser

HOSTS = [h for h in os.environ.get("SOAK_HOSTS", "").split(",") if h]
SITE_KEY = os.environ.get("SOAK_SITE_KEY", "")
ORIGIN = os.environ.get("SOAK_ORIGIN", "")
CA = os.environ.get("SOAK_CA", "")
PASSWORD = os.environ.get("SOAK_PASSWORD", "")
REPS = [u for u in os.environ.get("SOAK_REPS", "").split(",") if u]
AGENTS = [u for u in os.environ.get("SOAK_AGENTS", "").split(",") if u]
OUT = os.environ.get("SOAK_OUT", "")
RUN = os.environ.get("SOAK_RUN", uuid.uuid4().hex[:8])
#: The last page of a rep's lead list worth asking for (the reps see about a third of the leads).
MAX_PAGE = max(1, int(os.environ.get("SOAK_MAX_PAGE", "40")))
#: Longest wait for a websocket answer before it counts as a failure.
WS_TIMEOUT = 30.0
#: How many messages a simulated agent types in a minute at most, over all their chats.
HUMAN_MESSAGES_PER_MINUTE = 12
#: How long an escalated visitor waits for an agent before leaving (not a failure: agents may be busy).
AGENT_WAIT = 90.0

QUESTIONS = [
    "How much does it cost?",
    "Do you integrate with Azure Sentinel?",
    "Will running your scanner against our production site slow it down or break anything?",
    "Can our data stay in Europe?",
    "Are you ISO 27001 certified?",
    "How long does an assessment take?",
]
ASK_FOR_PERSON = "Can I speak to a real person please?"
PAGES = ["/", "/pricing/", "/product/", "/security/", "/customers/", "/blog/zero-trust/", "/contact/"]
ROI_INDUSTRIES = ["financial", "healthcare", "technology", "industrial", "energy", "retail"]
ROI_REGIONS = ["us", "canada", "europe", "asia_pacific"]
REP_SEARCHES = ["garcia", "smith", "patel", "holdings", "gmail.com", "cto"]
REP_FILTERS = [
    "status__exact=new",
    "status__exact=qualified",
    "score_band=hot",
    "owner=me",
    "is_fortune_500__exact=1",
]

_host_turn = itertools.count()
_ip_turn = itertools.count(1)
_lock = threading.Lock()
#: What the clients were told was stored (compared with the database at the end).
record: dict[str, Any] = {
    "leads_created": [],  # e-mail addresses answered 201
    "events_accepted": 0,  # the tracker's `accepted`, summed
    "roi_created": 0,
    "chat_acked": [],  # [conversation, client_id] of visitor and agent messages acked
    "conversations": 0,
    "escalations": 0,
    "agent_replies_seen": 0,  # escalated visitors who saw an agent's answer
    "agent_not_seen": 0,  # escalated visitors who left before an agent answered
    "claims": 0,
    "claims_lost": 0,  # another agent was quicker (expected with several agents)
    "ended_by_agent": 0,  # chats the bot had escalated by itself, closed by an agent
    "sent_after_close": 0,  # of those, a message that crossed the close (answered conversation_closed)
}


def next_host() -> str:
    return HOSTS[next(_host_turn) % len(HOSTS)]


def next_ip() -> str:
    """A distinct public-looking client address per simulated person (TEST-NET-free 100.64/10)."""
    n = next(_ip_turn)
    return f"100.{64 + (n >> 16) % 64}.{(n >> 8) % 256}.{n % 256}"


def fire(environment: Any, name: str, started: float, exception: BaseException | None = None) -> None:
    """Report a websocket exchange to locust's statistics like an HTTP request."""
    environment.events.request.fire(
        request_type="WS",
        name=name,
        response_time=(time.perf_counter() - started) * 1000,
        response_length=0,
        exception=exception,
        context={},
    )


class SocketFailure(Exception):
    """A websocket answer that did not come, or an error frame (its `code`)."""

    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class Socket:
    """A blocking websocket (websocket-client; gevent makes it cooperative under locust)."""

    def __init__(self, url: str, *, origin: str, ip: str, cookie: str = "") -> None:
        headers = [f"X-Forwarded-For: {ip}", "X-Forwarded-Proto: https"]
        self.ws = websocket.create_connection(
            url,
            origin=origin,
            header=headers,
            cookie=cookie or None,
            sslopt={"ca_certs": CA, "cert_reqs": ssl.CERT_REQUIRED},
            timeout=WS_TIMEOUT,
            enable_multithread=False,
        )
        self.with_agent = False
        self.ended = False
        self.escalated = False

    def send(self, frame: dict[str, Any]) -> None:
        self.ws.send(json.dumps(frame))

    def receive(self, timeout: float = WS_TIMEOUT) -> dict[str, Any] | None:
        """The next frame, or None when nothing came within `timeout` seconds."""
        self.ws.settimeout(timeout)
        try:
            raw = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        if not raw:
            raise SocketFailure(f"socket closed by the server ({self.ws.status})")
        frame = json.loads(raw)
        # What the widget shows from any frame: a person took over, or the chat ended.
        if frame.get("type") == "agent_joined" or frame.get("sender") == "agent":
            self.with_agent = True
        if frame.get("type") == "closed":
            self.ended = True
        if frame.get("type") == "escalated":
            self.escalated = True
        return frame

    def drain(self) -> None:
        """Read whatever already arrived, without waiting."""
        while self.receive(0.01) is not None:
            pass

    def wait_for(self, predicate: Any, timeout: float = WS_TIMEOUT) -> dict[str, Any]:
        """Frames until one satisfies `predicate`; an `error` frame or the timeout raises."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            frame = self.receive(left)
            if frame is None:
                break
            if frame.get("type") == "error":
                code = str(frame.get("code"))
                raise SocketFailure(f"error frame {code}: {frame.get('message')}", code)
            if predicate(frame):
                return frame
        raise SocketFailure(f"no answer within {timeout:.0f} s")

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already gone
            self.ws.close()


class SoakUser(HttpUser):
    """An HTTP user on one of the daphne processes, from an address of its own."""

    abstract = True
    host = HOSTS[0] if HOSTS else None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base = next_host()
        self.client.base_url = self.base
        self.client.verify = CA
        self.ip = next_ip()
        self.client.headers.update({"X-Forwarded-For": self.ip, "X-Forwarded-Proto": "https"})


class WebsiteVisitor(SoakUser):
    """The website script of one visitor: page views, forms, the ROI calculator."""

    weight = 7
    wait_time = between(3, 10)

    def on_start(self) -> None:
        self.visitor_id = f"soak{RUN}{uuid.uuid4().hex[:16]}"
        self.client.headers.update(
            {"X-Site-Key": SITE_KEY, "Origin": ORIGIN, "Content-Type": "application/json"}
        )

    def post(self, path: str, body: dict[str, Any], name: str, expected: int) -> dict[str, Any] | None:
        with self.client.post(path, data=json.dumps(body), name=name, catch_response=True) as response:
            if response.status_code != expected:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            return response.json()

    @task(10)
    def page_view(self) -> None:
        pages = random.sample(PAGES, random.randint(1, 3))
        body = {
            "visitor_id": self.visitor_id,
            "events": [
                {"type": "page_view", "url": f"{ORIGIN}{page}", "data": {"soak": RUN}} for page in pages
            ],
        }
        answer = self.post("/api/v1/events/", body, "POST /api/v1/events/ (tracker)", 202)
        if answer is not None:
            with _lock:
                record["events_accepted"] += answer.get("accepted", 0)

    @task(1)
    def submit_form(self) -> None:
        email = f"soak.{uuid.uuid4().hex[:12]}@{random.choice(['acme-corp', 'globex', 'initech'])}-soak.com"
        body = {
            "email": email,
            "first_name": "Soak",
            "last_name": random.choice(["Garcia", "Nguyen", "Smith", "Patel"]),
            "company": "Soak Test Holdings",
            "job_title": random.choice(["CISO", "IT Manager", "Engineer"]),
            "form": random.choice(["demo_request", "contact", "newsletter"]),
            "message": "We would like to see the scanner on our estate.",
            "visitor_id": self.visitor_id,
            "consent_marketing": random.random() < 0.5,
            "page_url": f"{ORIGIN}/contact/",
        }
        if self.post("/api/v1/leads/", body, "POST /api/v1/leads/ (form)", 201) is not None:
            with _lock:
                record["leads_created"].append(email)

    @task(1)
    def roi(self) -> None:
        body = {
            "employees": random.randint(50, 50_000),
            "annual_security_budget": str(random.randint(1, 500) * 10_000),
            "industry": random.choice(ROI_INDUSTRIES),
            "region": random.choice(ROI_REGIONS),
            "visitor_id": self.visitor_id,
        }
        if self.post("/api/v1/roi/", body, "POST /api/v1/roi/ (calculator)", 201) is not None:
            with _lock:
                record["roi_created"] += 1


class ChatVisitor(SoakUser):
    """A visitor in the chat widget: one conversation per task, then away for a while."""

    weight = 3
    wait_time = between(5, 20)  # between two visits (the think time is inside a conversation)

    @task
    def conversation(self) -> None:
        ws_base = self.base.replace("https://", "wss://", 1)
        started = time.perf_counter()
        try:
            sock = Socket(f"{ws_base}/ws/chat/?key={SITE_KEY}", origin=ORIGIN, ip=next_ip())
            sock.send({"type": "hello", "visitor_id": f"soak{RUN}{uuid.uuid4().hex[:16]}"})
            welcome = sock.wait_for(lambda f: f.get("type") == "welcome")
            sock.wait_for(lambda f: f.get("sender") == "bot")  # the greeting
        except Exception as exc:  # noqa: BLE001 - counted as the failure it is
            fire(self.environment, "WS chat: connect + hello", started, exc)
            return
        fire(self.environment, "WS chat: connect + hello", started)
        conversation = welcome["conversation"]
        with _lock:
            record["conversations"] += 1
        try:
            for n in range(random.randint(2, 6)):
                time.sleep(random.uniform(2, 6))
                if not self.ask(sock, conversation, n):
                    break
        finally:
            sock.close()

    def ask(self, sock: Socket, conversation: str, n: int) -> bool:
        """One visitor message: ack, then the bot's answer (or, asking for a person, the
        escalation notice and then the agent). False ends the conversation.

        The bot hands some chats to a person by itself (a Fortune 500 visitor, two questions it
        could not answer): then an agent may join, answer at their own pace and close the chat,
        as the widget shows. The visitor then stops waiting for the bot, and leaves once the chat
        is closed; a message that crossed the agent's close on the wire is answered
        `conversation_closed`, which the widget shows as "this chat has ended" (counted, not an
        error)."""
        sock.drain()
        if sock.ended:
            with _lock:
                record["ended_by_agent"] += 1
            return False
        person = n >= 1 and not sock.escalated and random.random() < 0.12
        client_id = f"soak-v-{uuid.uuid4().hex[:20]}"
        body = ASK_FOR_PERSON if person else random.choice(QUESTIONS)
        started = time.perf_counter()
        try:
            sock.send({"type": "message", "body": body, "client_id": client_id})
            sock.wait_for(lambda f: f.get("client_id") == client_id and "seq" in f)
        except SocketFailure as exc:
            if exc.code == "conversation_closed":
                with _lock:
                    record["ended_by_agent"] += 1
                    record["sent_after_close"] += 1
                return False
            fire(self.environment, "WS chat: send → ack", started, exc)
            return False
        except Exception as exc:  # noqa: BLE001
            fire(self.environment, "WS chat: send → ack", started, exc)
            return False
        fire(self.environment, "WS chat: send → ack", started)
        with _lock:
            record["chat_acked"].append([conversation, client_id])
        if sock.with_agent:
            return True  # a person answers when they have read it; no bot answer to wait for
        name = "WS chat: send → escalated" if person else "WS chat: send → bot answer"
        try:
            if person:
                sock.wait_for(lambda f: f.get("type") == "escalated")
            else:  # the bot's answer, or its handing the chat to a person instead
                sock.wait_for(lambda f: f.get("sender") == "bot" or f.get("type") == "escalated")
        except Exception as exc:  # noqa: BLE001
            fire(self.environment, name, started, exc)
            return False
        fire(self.environment, name, started)
        if not person:
            return True
        with _lock:
            record["escalations"] += 1
        try:
            sock.wait_for(lambda f: f.get("sender") == "agent" and f.get("type") == "message", AGENT_WAIT)
        except SocketFailure as exc:
            if "no answer" not in str(exc):
                fire(self.environment, "WS chat: escalated → agent answer", started, exc)
                return False
            with _lock:
                record["agent_not_seen"] += 1
            return False
        fire(self.environment, "WS chat: escalated → agent answer", started)
        with _lock:
            record["agent_replies_seen"] += 1
        return False  # the person answered: the visitor reads and leaves


class StaffUser(SoakUser):
    """A staff member logged in through the admin's login form, as a browser does."""

    abstract = True
    usernames: list[str] = []
    turn: itertools.count = itertools.count()

    def on_start(self) -> None:
        self.username = self.usernames[next(self.turn) % len(self.usernames)]
        self.client.headers.update({"Origin": self.base, "Referer": f"{self.base}/admin/login/"})
        page = self.client.get("/admin/login/", name="GET /admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        with self.client.post(
            "/admin/login/?next=/admin/",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": self.username,
                "password": PASSWORD,
            },
            name="POST /admin/login/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login as {self.username}: {response.status_code}")
                raise StopUser()


class SalesRep(StaffUser):
    """A rep working the lead list at 100,000 leads."""

    fixed_count = int(os.environ.get("SOAK_REP_USERS", "6"))
    usernames = REPS
    turn = itertools.count()
    wait_time = between(4, 12)

    def on_start(self) -> None:
        super().on_start()
        self.lead_pages: list[str] = []

    def changelist(self, query: str, name: str) -> None:
        response = self.client.get(f"/admin/leads/lead/{query}", name=name)
        found = re.findall(r'href="(/admin/leads/lead/[0-9a-f-]{36}/change/)[^"]*"', response.text)
        if found:
            self.lead_pages = list(dict.fromkeys(found))[:25]

    @task(4)
    def page(self) -> None:
        # Mostly the first pages (newest leads first), now and then a deep one.
        self.changelist(
            f"?p={1 + int((MAX_PAGE - 1) * random.random() ** 3)}", "GET admin lead list (page n)"
        )

    @task(2)
    def filtered(self) -> None:
        self.changelist(f"?{random.choice(REP_FILTERS)}", "GET admin lead list (filtered)")

    @task(2)
    def search(self) -> None:
        self.changelist(f"?q={random.choice(REP_SEARCHES)}", "GET admin lead list (search)")

    @task(4)
    def lead(self) -> None:
        if not self.lead_pages:
            self.changelist("", "GET admin lead list (page n)")
        if self.lead_pages:
            self.client.get(random.choice(self.lead_pages), name="GET admin lead page")

    @task(1)
    def dashboard(self) -> None:
        self.client.get("/admin/", name="GET admin dashboard")


class Agent(StaffUser):
    """An agent in the live chat console: takes waiting chats, answers and closes them."""

    fixed_count = int(os.environ.get("SOAK_AGENT_USERS", "2"))
    usernames = AGENTS
    turn = itertools.count()
    wait_time = between(1, 3)

    def on_start(self) -> None:
        super().on_start()
        self.client.get("/admin/chat/conversation/console/", name="GET admin chat console")
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.client.cookies)
        started = time.perf_counter()
        try:
            self.sock = Socket(
                self.base.replace("https://", "wss://", 1) + "/ws/agent/",
                origin=self.base,
                ip=self.ip,
                cookie=cookie,
            )
            self.sock.wait_for(lambda f: f.get("type") == "queue")
        except Exception as exc:
            fire(self.environment, "WS agent: connect", started, exc)
            raise StopUser() from exc
        fire(self.environment, "WS agent: connect", started)
        self.waiting: list[str] = []
        self.mine: dict[str, int] = {}  # conversation → replies sent
        self.due: dict[str, float] = {}  # conversation → when the next reply is typed
        self.sent: list[float] = []  # when this agent's recent messages went
        self.last_ping = time.monotonic()

    def on_stop(self) -> None:
        if getattr(self, "sock", None):
            self.sock.close()

    def drain(self) -> None:
        """Read what arrived (queue updates, visitors' messages) without waiting."""
        while (frame := self.sock.receive(0.05)) is not None:
            if frame.get("type") == "queue":
                self.waiting = [c["id"] for c in frame.get("waiting", [])]
            elif frame.get("type") == "error" and frame.get("code") not in ("already_claimed", "not_found"):
                fire(
                    self.environment, "WS agent: error frame", time.perf_counter(), SocketFailure(str(frame))
                )

    @task
    def work(self) -> None:
        try:
            self.drain()
            if time.monotonic() - self.last_ping > 30:
                self.sock.send({"type": "ping"})
                self.last_ping = time.monotonic()
            now = time.monotonic()
            for conversation, replies in list(self.mine.items()):
                if self.due.get(conversation, 0) > now:
                    continue  # still typing
                if replies >= 2:
                    self.sock.send({"type": "close", "conversation": conversation})
                    del self.mine[conversation]
                elif self.may_send():
                    self.reply(conversation)
            if self.waiting and len(self.mine) < 3:
                self.claim(self.waiting.pop(0))
        except SocketFailure as exc:
            fire(self.environment, "WS agent: socket", time.perf_counter(), exc)
            raise StopUser() from exc

    def claim(self, conversation: str) -> None:
        started = time.perf_counter()
        self.sock.send({"type": "claim", "conversation": conversation})
        deadline = time.monotonic() + WS_TIMEOUT
        while time.monotonic() < deadline:
            frame = self.sock.receive(deadline - time.monotonic())
            if frame is None:
                break
            if frame.get("type") == "claimed" and frame.get("conversation") == conversation:
                fire(self.environment, "WS agent: claim", started)
                with _lock:
                    record["claims"] += 1
                self.mine[conversation] = 0
                if self.may_send():
                    self.reply(conversation)
                return
            if frame.get("type") == "error" and frame.get("code") in ("already_claimed", "not_found"):
                with _lock:
                    record["claims_lost"] += 1
                return
            if frame.get("type") == "queue":
                self.waiting = [c["id"] for c in frame.get("waiting", [])]
        fire(self.environment, "WS agent: claim", started, SocketFailure("no answer to claim"))

    def may_send(self) -> bool:
        """A person's pace: at most HUMAN_MESSAGES_PER_MINUTE messages in any minute, over all
        the chats they have open (the console socket allows CHAT_MESSAGES_PER_MINUTE, 20)."""
        now = time.monotonic()
        self.sent = [t for t in self.sent if now - t < 60]
        return len(self.sent) < HUMAN_MESSAGES_PER_MINUTE

    def reply(self, conversation: str) -> None:
        self.sent.append(time.monotonic())
        self.due[conversation] = time.monotonic() + random.uniform(8, 15)
        client_id = f"soak-a-{uuid.uuid4().hex[:20]}"
        started = time.perf_counter()
        self.sock.send(
            {
                "type": "message",
                "conversation": conversation,
                "body": "Happy to help, let me check.",
                "client_id": client_id,
            }
        )
        try:
            self.sock.wait_for(lambda f: f.get("client_id") == client_id and "seq" in f)
        except SocketFailure as exc:
            fire(self.environment, "WS agent: send → ack", started, exc)
            self.mine.pop(conversation, None)
            return
        fire(self.environment, "WS agent: send → ack", started)
        self.mine[conversation] = self.mine.get(conversation, 0) + 1
        with _lock:
            record["chat_acked"].append([conversation, client_id])


@events.quitting.add_listener
def write_record(environment: Any, **_: Any) -> None:
    """The client-side record and every endpoint's statistics, for soak_mixed.py."""
    if not OUT:
        return
    stats = []
    for entry in [*environment.stats.entries.values(), environment.stats.total]:
        stats.append(
            {
                "name": "all requests and frames" if entry is environment.stats.total else entry.name,
                "method": entry.method,
                "requests": entry.num_requests,
                "failures": entry.num_failures,
                "p50_ms": entry.get_response_time_percentile(0.5) if entry.num_requests else None,
                "p99_ms": entry.get_response_time_percentile(0.99) if entry.num_requests else None,
                "max_ms": round(entry.max_response_time, 1) if entry.num_requests else None,
                "rps": round(entry.total_rps, 2),
            }
        )
    failures = [
        {"name": f.name, "method": f.method, "error": str(f.error)[:300], "occurrences": f.occurrences}
        for f in environment.stats.errors.values()
    ]
    payload = {
        **record,
        "stats": stats,
        "failures": failures,
        "users": environment.runner.user_count if environment.runner else None,
    }
    with open(OUT, "w") as out:
        json.dump(payload, out, indent=1)

"""Website activity of the demo: tracker events of each browser, ROI calculations and chats.

IP addresses are already anonymised (last octet of IPv4, last 80 bits of IPv6 zeroed) and from
the documentation ranges. The anonymous Walmart visitor is recognised from an imported company
IP range, as the product does for real visitors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analytics.models import EventType

from .chats import CONTOSO_CIO_CHAT, MICROSOFT_CISO_CHAT, PRICING_CHAT, ConversationSpec
from .leads import MICROSOFT_CISO_EMAIL

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
EDGE_WINDOWS = CHROME_WINDOWS + " Edg/131.0.0.0"
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


@dataclass(frozen=True)
class EventSpec:
    event_type: str
    path: str
    hours_ago: float
    data: Mapping[str, Any] = field(default_factory=dict)
    referrer: str = ""
    utm: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RoiSpec:
    """One use of the ROI calculator (region: the United States)."""

    hours_ago: float
    employees: int
    annual_security_budget: int
    industry: str
    region: str = "us"


@dataclass(frozen=True)
class VisitorSpec:
    name: str  # stable handle; the anonymous id is derived from it
    ip_address: str
    user_agent: str
    events: tuple[EventSpec, ...]
    lead_email: str | None = None  # the lead this browser turns out to be (stitched at intake)
    roi: RoiSpec | None = None
    conversation: ConversationSpec | None = None
    conversation_hours_ago: float | None = None


LINKEDIN_CAMPAIGN = {"utm_source": "linkedin", "utm_medium": "paid_social", "utm_campaign": "f500-ciso-2025"}
#: Walmart's (imported) network, so its anonymous visitor is attributed to Walmart.
WALMART_NETWORK = "2001:db8:57a1::/48"
WALMART_NETWORK_ADDRESS = "2001:db8:57a1::"
IP_RANGES: tuple[tuple[str, str], ...] = ((WALMART_NETWORK, "walmart.com"),)

VISITORS: tuple[VisitorSpec, ...] = (
    VisitorSpec(
        "microsoft-ciso", "40.112.72.0", EDGE_WINDOWS,
        lead_email=MICROSOFT_CISO_EMAIL,
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 72.0, referrer="https://www.bing.com/"),
            EventSpec(EventType.PAGE_VIEW, "/pricing", 71.97),
            EventSpec(EventType.CHAT_STARTED, "/integrations/microsoft-sentinel", 71.8),
            EventSpec(EventType.FORM_VIEW, "/security-assessment", 71.55, {"form": "security_assessment"}),
            EventSpec(EventType.FORM_SUBMIT, "/security-assessment", 71.5, {"form": "security_assessment"}),
            EventSpec(EventType.ASSESSMENT_REQUESTED, "/security-assessment", 71.5,
                      {"target_url": "https://www.microsoft.com"}),
            EventSpec(EventType.PAGE_VIEW, "/integrations/microsoft-sentinel", 26.0),
            EventSpec(EventType.PAGE_VIEW, "/pricing", 25.9),
        ),
        roi=RoiSpec(71.9, 5000, 50_000_000, "technology"),
        conversation_hours_ago=71.8,
        conversation=MICROSOFT_CISO_CHAT,
    ),
    VisitorSpec(
        "jpmorgan-vp", "198.51.100.0", CHROME_MAC,
        lead_email="marcus.reyes@jpmorgan.com",
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 191.0, referrer="https://www.linkedin.com/", utm=LINKEDIN_CAMPAIGN),
            EventSpec(EventType.PAGE_VIEW, "/resources/fortune-500-security-report", 190.8),
            EventSpec(EventType.FORM_VIEW, "/demo", 190.3, {"form": "demo_request"}),
            EventSpec(EventType.FORM_SUBMIT, "/demo", 190.2, {"form": "demo_request"}),
            EventSpec(EventType.PAGE_VIEW, "/pricing", 50.0),
            EventSpec(EventType.PAGE_VIEW, "/integrations", 49.8),
        ),
    ),
    VisitorSpec(
        "citi-svp", "203.0.113.0", CHROME_WINDOWS,
        lead_email="helen.zhao@citi.com",
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 215.0, referrer="https://www.google.com/"),
            EventSpec(EventType.PAGE_VIEW, "/compliance/pci-dss", 214.8),
            EventSpec(EventType.FORM_SUBMIT, "/demo", 214.5, {"form": "demo_request"}),
            EventSpec(EventType.PAGE_VIEW, "/pricing", 30.0),
        ),
    ),
    VisitorSpec(
        "contoso-cio", "192.0.2.0", SAFARI_MAC,
        lead_email="rachel.kim@contoso-logistics.example",
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 130.0, referrer="https://www.google.com/"),
            EventSpec(EventType.CHAT_STARTED, "/pricing", 129.8),
            EventSpec(EventType.FORM_SUBMIT, "/demo", 129.2, {"form": "demo_request"}),
        ),
        roi=RoiSpec(129.9, 1800, 2_500_000, "industrial"),
        conversation_hours_ago=129.8,
        conversation=CONTOSO_CIO_CHAT,
    ),
    VisitorSpec(
        "lockheed-ciso", "2001:db8:4f2a::", FIREFOX_LINUX,
        lead_email="sarah.lindqvist@lockheedmartin.com",
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 100.0),
            EventSpec(EventType.PAGE_VIEW, "/security-assessment", 99.9),
            EventSpec(EventType.FORM_SUBMIT, "/demo", 99.7, {"form": "demo_request"}),
        ),
    ),
    VisitorSpec(
        "newsletter-reader", "192.0.2.0", CHROME_ANDROID,
        lead_email="security.curious.reader@gmail.com",
        events=(
            EventSpec(EventType.PAGE_VIEW, "/blog/content-security-policy-in-2025", 60.0,
                      referrer="https://news.ycombinator.com/"),
            EventSpec(EventType.PAGE_VIEW, "/blog", 59.9),
            EventSpec(EventType.FORM_SUBMIT, "/blog", 59.8, {"form": "newsletter"}),
        ),
    ),
    VisitorSpec(
        "fabrikam-cto", "198.51.100.0", CHROME_WINDOWS,
        lead_email="olivia.grant@fabrikam.example", roi=RoiSpec(39.9, 85, 400_000, "financial"),
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 40.0),
            EventSpec(EventType.FORM_SUBMIT, "/security-assessment", 39.7, {"form": "security_assessment"}),
            EventSpec(EventType.ASSESSMENT_REQUESTED, "/security-assessment", 39.7,
                      {"target_url": "https://www.fabrikam.example"}),
        ),
    ),
    VisitorSpec(
        "walmart-anonymous", WALMART_NETWORK_ADDRESS, CHROME_WINDOWS,
        events=(
            EventSpec(EventType.PAGE_VIEW, "/", 20.0, referrer="https://www.google.com/"),
            EventSpec(EventType.PAGE_VIEW, "/pricing", 19.9),
            EventSpec(EventType.PAGE_VIEW, "/case-studies/retail", 19.8),
        ),
    ),
    VisitorSpec(
        "pricing-chat-anonymous", "198.51.100.0", SAFARI_IPHONE,
        events=(
            EventSpec(EventType.PAGE_VIEW, "/pricing", 6.0),
            EventSpec(EventType.CHAT_STARTED, "/pricing", 5.9),
        ),
        conversation_hours_ago=5.9,
        conversation=PRICING_CHAT,
    ),
    VisitorSpec(
        "search-anonymous", "203.0.113.0", SAFARI_MAC,
        events=(
            EventSpec(EventType.PAGE_VIEW, "/blog/what-is-hsts", 3.0, referrer="https://duckduckgo.com/"),
            EventSpec(EventType.PAGE_VIEW, "/", 2.9),
            EventSpec(EventType.FORM_VIEW, "/security-assessment", 2.8, {"form": "security_assessment"}),
        ),
    ),
)  # fmt: skip

"""What one domain inspection produced: the facts, the findings (hits) and what could not be
checked. Shared by the per-family judges (mail, transport, zone, web) so that each writes into
the same report and records an unavailable answer the same way (`available`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .fetch import FetchFailed
from .resolver import DnsUnavailable

Hit = tuple[str, str]


@dataclass
class DomainReport:
    host: str
    domain: str
    resolvers: str
    facts: dict[str, Any] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    unchecked: dict[str, str] = field(default_factory=dict)
    duration_ms: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "domain": self.domain,
            "resolvers": self.resolvers,
            **self.facts,
            "not_checked": self.unchecked,
            "duration_ms": self.duration_ms,
        }


def available(report: DomainReport, area: str, value: Any) -> bool:
    """Whether a gathered value is usable; an unavailable answer is noted as not checked for `area`."""
    if isinstance(value, DnsUnavailable | FetchFailed):
        report.unchecked[area] = str(value)
        return False
    return True

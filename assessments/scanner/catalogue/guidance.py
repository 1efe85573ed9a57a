"""The advice shared by all results of one test: why it matters and how to fix it (with server
and DNS snippets), kept apart from the finding texts that use it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Guidance:
    """Shared by all results of one test."""

    area: str  # compliance.CONTROLS key
    why: str
    fix: str
    nginx: str = ""
    apache: str = ""
    dns: str = ""  # DNS record(s) to publish, zone-file style

    def recommendation(self) -> str:
        parts = [self.fix]
        if self.dns:
            parts.append(f"DNS:\n    {self.dns}")
        if self.nginx:
            parts.append(f"nginx:\n    {self.nginx}")
        if self.apache:
            parts.append(f"Apache:\n    {self.apache}")
        return "\n\n".join(parts)

"""Whether a host is on the browsers' HSTS preload list.

The list itself (Chromium's transport_security_state_static.json, ~150k entries) is not shipped;
`ASSESSMENT_HSTS_PRELOADED_DOMAINS` may name preloaded registrable domains (with subdomains).
"""

from __future__ import annotations

from django.conf import settings


def is_preloaded(host: str) -> bool:
    domains = {d.lower().strip(".") for d in settings.ASSESSMENT_HSTS_PRELOADED_DOMAINS}
    labels = host.lower().strip(".").split(".")
    return any(".".join(labels[i:]) in domains for i in range(len(labels)))

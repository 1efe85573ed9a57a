"""DNSSEC of the registrable domain: signed or not, and whether the signatures hold.

Two answers, reported side by side:
- our own validation with dnspython's `dns.dnssec`: a DS record at the parent must match a key
  of the zone's DNSKEY set, that set must be signed by the matching key, and the zone's SOA by
  one of its keys (signatures within their validity period). This checks the zone's own link of
  the chain; the DS itself is taken from the resolver as served.
- the AD flag of the resolver (`ASSESSMENT_DNS_RESOLVERS`): set only by a validating resolver
  that checked the whole chain to the root. A non-validating resolver never sets it, so its
  absence alone proves nothing.

States: `unsigned` (no DNSKEY, no DS), `signed-no-ds` (keys and signatures, but no DS at the
parent: nobody can validate them), `validated`, `bogus` (a DS the zone does not live up to:
validating resolvers — about a third of the internet's users — then refuse the whole domain).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.dnssec
import dns.name

from .resolver import Answer, Lookup


@dataclass
class DnssecFacts:
    state: str  # unsigned | signed-no-ds | validated | bogus
    ds: list[str] = field(default_factory=list)
    dnskeys: int = 0
    resolver_authenticated: bool = False
    problems: list[str] = field(default_factory=list)
    method: str = (
        "own validation (dnspython dns.dnssec: DS → DNSKEY → SOA signatures) and the resolver's AD flag"
    )

    def to_json(self) -> dict:
        return {
            "state": self.state,
            "ds": self.ds,
            "dnskeys": self.dnskeys,
            "resolver_authenticated": self.resolver_authenticated,
            "problems": self.problems,
            "method": self.method,
        }


def inspect_dnssec(
    domain: str, *, ds_answer: Answer, dnskey_answer: Answer, soa_answer: Answer
) -> DnssecFacts:
    """Judge the zone from its three answers (DS, DNSKEY and SOA, asked with the DO flag)."""
    ds_records = ds_answer.records
    keys = dnskey_answer.rrset
    facts = DnssecFacts(
        state="unsigned",
        ds=[r.to_text() for r in ds_records][:10],
        dnskeys=len(dnskey_answer.records),
        resolver_authenticated=soa_answer.authenticated and dnskey_answer.authenticated,
    )
    if not ds_records and keys is None:
        return facts
    if not ds_records:
        facts.state = "signed-no-ds"
        facts.problems.append("the zone has DNSKEY records but the parent zone has no DS record for it")
        return facts
    if keys is None:
        facts.state = "bogus"
        facts.problems.append("the parent has a DS record but the zone serves no DNSKEY")
        return facts
    name = dns.name.from_text(domain)
    matching = [key for key in keys if any(_matches(name, key, ds) for ds in ds_records)]
    if not matching:
        facts.problems.append("no DNSKEY matches the DS record(s) at the parent")
    keyring = {name: keys}
    for label, answer in (("DNSKEY", dnskey_answer), ("SOA", soa_answer)):
        if answer.rrset is None:
            facts.problems.append(f"no {label} record")
        elif answer.rrsigs is None:
            facts.problems.append(f"the {label} record set is not signed")
        else:
            try:
                dns.dnssec.validate(answer.rrset, answer.rrsigs, keyring)
            except dns.dnssec.ValidationFailure as exc:
                facts.problems.append(f"the {label} signature does not validate: {exc}")
    facts.state = "bogus" if facts.problems else "validated"
    return facts


def _matches(name: dns.name.Name, key, ds) -> bool:
    try:
        return dns.dnssec.make_ds(name, key, ds.digest_type, validating=True) == ds
    except (dns.dnssec.UnsupportedAlgorithm, dns.dnssec.DeniedByPolicy, ValueError):
        return False


def ask_dnssec(lookup: Lookup, domain: str) -> DnssecFacts:
    """Ask for DS, DNSKEY and SOA with signatures, then judge (raises DnsUnavailable)."""
    return inspect_dnssec(
        domain,
        ds_answer=lookup.ask(domain, "DS", dnssec=True),
        dnskey_answer=lookup.ask(domain, "DNSKEY", dnssec=True),
        soa_answer=lookup.ask(domain, "SOA", dnssec=True),
    )

"""The synonym groups a new installation starts with (a data migration and the demo seed them;
staff edit them in the admin afterwards). Each group is one line of comma-separated terms."""

from __future__ import annotations

DEFAULT_SYNONYMS: tuple[str, ...] = (
    "EU, Europe, European, European Union, EEA",
    "GDPR, General Data Protection Regulation",
    "DSAR, data subject request, data subject access request, subject access request, erasure, "
    "right to erasure, right to be forgotten",
    "SOC 2, SOC2, SOC II, SOC 2 Type II, SOC 2 Type 2",
    "pen test, pen tests, pentest, pentests, pen testing, pentesting, penetration test, "
    "penetration tests, penetration testing",
    "SSO, SAML, single sign-on, single sign on",
    "price, prices, pricing, priced, cost, costs, how much",
    "trial, free trial, pilot, proof of concept, PoC",
    "Azure AD, Azure Active Directory, Entra ID, Microsoft Entra ID, Entra",
    "Sentinel, Azure Sentinel, Microsoft Sentinel",
    "SIEM, security information and event management",
    "DPA, data processing agreement, data processing addendum",
    "integrate, integrates, integrated, integration, integrations, connector, connectors, "
    "connect to, connects to, talk to, talks to, plug into, plugs into, hook into",
    "store, stores, stored, keep, keeps, kept, retain, retains, retained, hold, holds",
    "brute force, guess passwords, guesses passwords, password guessing",
)

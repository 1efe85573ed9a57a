"""Seed the default synonym groups (a frozen copy of chat.bot.synonyms.DEFAULT_SYNONYMS), so a new installation's
bot knows that "Europe" is "EU" or "pen test" is "penetration testing"; staff edit them in the
admin. Reversing leaves the rows (they may have been edited)."""

from django.db import migrations

#: Frozen copy of chat.bot.synonyms.DEFAULT_SYNONYMS as of this migration: a migration must not
#: change meaning when that list is edited later (the demo and `knowledge_synonyms_seed` use the live one).
DEFAULT_SYNONYMS = (
    "EU, Europe, European, European Union, EEA",
    "GDPR, General Data Protection Regulation",
    "DSAR, data subject request, data subject access request, subject access request, erasure, right to erasure, right to be forgotten",
    "SOC 2, SOC2, SOC II, SOC 2 Type II, SOC 2 Type 2",
    "pen test, pen tests, pentest, pentests, pen testing, pentesting, penetration test, penetration tests, penetration testing",
    "SSO, SAML, single sign-on, single sign on",
    "price, prices, pricing, priced, cost, costs, how much",
    "trial, free trial, pilot, proof of concept, PoC",
    "Azure AD, Azure Active Directory, Entra ID, Microsoft Entra ID, Entra",
    "Sentinel, Azure Sentinel, Microsoft Sentinel",
    "SIEM, security information and event management",
    "DPA, data processing agreement, data processing addendum",
    "integrate, integrates, integrated, integration, integrations, connector, connectors, connect to, connects to, talk to, talks to, plug into, plugs into, hook into",
    "store, stores, stored, keep, keeps, kept, retain, retains, retained, hold, holds",
    "brute force, guess passwords, guesses passwords, password guessing",
)


def seed(apps, schema_editor):
    KnowledgeSynonym = apps.get_model("chat", "KnowledgeSynonym")
    for terms in DEFAULT_SYNONYMS:
        KnowledgeSynonym.objects.get_or_create(terms=terms)


class Migration(migrations.Migration):
    dependencies = [("chat", "0004_knowledge_synonym")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""Reference rows of the demo: the website, companies, partners and knowledge-base articles.

None of these has a create service (staff create them as plain rows in the admin), so they are
looked up by their natural key and created as plain rows; re-runs find them. The demo website
goes through `website_create` (it issues the publishable key).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from analytics.models import Website
from analytics.services import ip_ranges_import, normalise_origin, website_create, website_update
from chat.models import KnowledgeArticle
from chat.services import knowledge_synonyms_seed
from demo.specs.chats import ARTICLES
from demo.specs.companies import COMPANIES, FORTUNE_YEAR
from demo.specs.partners import PARTNERS
from demo.specs.visitors import IP_RANGES
from demo.specs.websites import DEMO_WEBSITE_NAME, DEMO_WEBSITE_ORIGINS, WEBSITE_AGE_DAYS
from leads.models import Company, CompanyDomain
from partners.models import Partner


def load_website(now: datetime) -> Website:
    website = Website.objects.filter(name=DEMO_WEBSITE_NAME).order_by("created_at", "pk").first()
    if website is not None:
        return website
    website = website_create(name=DEMO_WEBSITE_NAME, allowed_origins=DEMO_WEBSITE_ORIGINS)
    # Post-step (time only): set up before the first demo event, so the history reads in order.
    Website.objects.filter(pk=website.pk).update(created_at=now - timedelta(days=WEBSITE_AGE_DAYS))
    website.refresh_from_db()
    return website


def demo_website_allow(website: Website, origins: list[str]) -> list[str]:
    """Add `origins` to the demo website's allowed origins (through `website_update`, which
    normalises them and clears the cached key); returns the ones that were not there yet.

    Why: the demo page at `/` embeds the kit only for a website that allows the page's own
    origin, so `make run PORT=8101` served an inert page while the demo website allowed 8000."""
    missing = [
        origin
        for origin in dict.fromkeys(map(normalise_origin, origins))
        if origin not in website.allowed_origins
    ]
    if missing:
        website_update(website=website, allowed_origins=[*website.allowed_origins, *missing])
    return missing


def load_companies() -> None:
    """Companies with their alias domains (so lead intake matches e-mails at an alias), and the
    imported IP ranges that attribute anonymous visits to a company."""
    for spec in COMPANIES:
        company, _created = Company.objects.get_or_create(
            domain=spec.domain,
            defaults={
                "name": spec.name,
                "industry": spec.industry,
                "employee_count": spec.employee_count,
                "annual_revenue": Decimal(spec.annual_revenue) if spec.annual_revenue is not None else None,
                "hq_city": spec.hq_city,
                "hq_state": spec.hq_state,
                "hq_country": spec.hq_country,
                "fortune_rank": spec.fortune_rank,
                "fortune_year": FORTUNE_YEAR if spec.fortune_rank is not None else None,
            },
        )
        for alias in spec.aliases:
            CompanyDomain.objects.get_or_create(domain=alias, defaults={"company": company})
    ip_ranges_import(rows=IP_RANGES)  # idempotent: a known network is re-pointed, not added


def load_partners() -> None:
    for spec in PARTNERS:
        Partner.objects.get_or_create(
            referral_code=spec.referral_code,
            defaults={
                "name": spec.name,
                "partner_type": spec.partner_type,
                "contact_email": spec.contact_email,
                "commission_rate": spec.commission_rate,
                "status": spec.status,
            },
        )


def load_articles() -> None:
    """The demo's knowledge base, by slug: re-seeding brings an older demo database's articles up
    to date (the demo once had one article answering two questions with "Yes. … No. …")."""
    knowledge_synonyms_seed()
    for spec in ARTICLES:
        KnowledgeArticle.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "title": spec.title,
                "questions": "\n".join(spec.questions),
                "answer": spec.answer,
                "keywords": spec.keywords,
                "is_published": True,
            },
        )

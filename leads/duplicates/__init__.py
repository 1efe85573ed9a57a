"""Likely duplicate leads: how they are recognised, listed and merged.

The database already refuses two leads with the same e-mail ignoring case. What it cannot see
is the same person arriving twice under addresses that reach one mailbox (``Jane.Doe+demo@gmail.com``
and ``janedoe@googlemail.com``), with the same phone number written differently, or under the
same name at the same company. Those are *likely* duplicates: we flag and list them, and a
person decides to merge. Nothing here merges on its own.

Matching keys (computed in Python over small candidate sets, so no model change is needed):

==================================  ==========================================================
Domain of the address               What is ignored in the local part (besides letter case)
==================================  ==========================================================
gmail.com, googlemail.com           dots and ``+tag``; googlemail.com counts as gmail.com
every other domain (outlook.com,    ``+tag`` only (sub-addressing, supported by Microsoft,
hotmail.com, live.com, msn.com,     Apple, Yahoo, Fastmail, Proton, Google Workspace and
icloud.com, yahoo.com, corporate)   Microsoft 365 corporate mailboxes). Dots stay significant:
                                    only Gmail documents that it ignores them.
==================================  ==========================================================

Phones: digits only (an extension after ``x``/``ext``/``#`` is dropped, a leading ``00`` is
the international prefix ``+``); two numbers match when their last 10 digits agree, so
``+1 (212) 555-0100``, ``212.555.0100`` and ``001 212 555 0100`` are one number, as are
``+44 20 7946 0958`` and ``020 7946 0958``. Numbers with fewer than 7 digits never match.

Names: first and last name lower-cased with accents folded (``José`` = ``Jose``), both needed,

The package by concern: `keys` (the matching keys above), `detection` (finding a lead's likely
duplicates, one at a time or with an in-memory `DuplicateIndex`), `flagging` (the timeline
entries), `groups` (the admin's list), `plan` (the dry run of a merge) and `merge` (applying
it). This module re-exports the public names, so callers import from `leads.duplicates`.
"""

from .detection import DuplicateIndex, DuplicateMatch, lead_find_duplicates
from .flagging import NewLeadKeys, lead_flag_duplicates, leads_flag_new_duplicates, new_leads_flag_duplicates
from .groups import DuplicateGroup, duplicate_groups
from .keys import (
    DOT_INSENSITIVE_DOMAINS,
    KEY_COLUMNS,
    MIN_PHONE_DIGITS,
    PHONE_KEY_DIGITS,
    REASON_EMAIL,
    REASON_NAME,
    REASON_PHONE,
    REASONS,
    matching_email_key,
    name_key,
    normalise_phone,
    phone_match_key,
)
from .merge import lead_merge, leads_for_merge
from .plan import (
    MAX_MERGE_LEADS,
    NEWEST_WINS,
    OLDEST_WINS,
    SURVIVOR_FIRST,
    FieldChange,
    MergePlan,
    lead_merge_plan,
)

__all__ = [
    "DOT_INSENSITIVE_DOMAINS",
    "KEY_COLUMNS",
    "MAX_MERGE_LEADS",
    "MIN_PHONE_DIGITS",
    "NEWEST_WINS",
    "OLDEST_WINS",
    "PHONE_KEY_DIGITS",
    "REASONS",
    "REASON_EMAIL",
    "REASON_NAME",
    "REASON_PHONE",
    "SURVIVOR_FIRST",
    "DuplicateGroup",
    "DuplicateIndex",
    "DuplicateMatch",
    "FieldChange",
    "MergePlan",
    "NewLeadKeys",
    "duplicate_groups",
    "lead_find_duplicates",
    "lead_flag_duplicates",
    "lead_merge",
    "lead_merge_plan",
    "leads_flag_new_duplicates",
    "leads_for_merge",
    "matching_email_key",
    "name_key",
    "new_leads_flag_duplicates",
    "normalise_phone",
    "phone_match_key",
]

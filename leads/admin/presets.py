"""Saved filters on the lead list: one click to the views a rep opens every day ("My hot
leads", "Overdue", "Unassigned", "Fortune 500"), shown as tabs above the list.

Each preset is nothing but a query string of the list's own filters (OwnerFilter, ScoreBandFilter,
FollowUpDueFilter, is_fortune_500), so it is scoped exactly like the list (a rep's "Overdue" is
their own and the unassigned queue's) and can be refined with the filter panel afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpRequest


@dataclass(frozen=True)
class Preset:
    label: str
    params: tuple[tuple[str, str], ...]
    hint: str

    @property
    def query(self) -> str:
        return "?" + urlencode(self.params) if self.params else "?"


LEAD_PRESETS: tuple[Preset, ...] = (
    Preset("All leads", (), "Every lead you may see, hottest Fortune 500 first"),
    Preset("My hot leads", (("owner", "me"), ("score_band", "hot")), "Yours, scoring 80 or more"),
    Preset("Overdue", (("follow_up", "overdue"),), "Follow-ups due before today"),
    Preset("Unassigned", (("owner", "none"),), "The queue nobody owns yet"),
    Preset("Fortune 500", (("is_fortune_500__exact", "1"),), "Leads at Fortune 500 companies"),
)


def lead_presets_for(request: HttpRequest) -> list[dict[str, object]]:
    """The tabs with their links and which one is showing (the request's filters equal the
    preset's; sorting, paging and search do not count)."""
    ignored = {"o", "p", "q", "_changelist_filters", "e"}
    current = {(key, value) for key, value in request.GET.items() if key not in ignored}
    return [
        {
            "label": preset.label,
            "url": preset.query,
            "hint": preset.hint,
            "active": current == set(preset.params),
        }
        for preset in LEAD_PRESETS
    ]

"""The only tags and filters nurture templates may use (the sandbox's builtins).

Django's defaults minus everything that reaches outside the fixed context or turns escaping off:
no `{% load %}` (other libraries), `{% include %}`/`{% extends %}` (files), `{% debug %}` (the
context and loaded modules), `{% url %}`, `{% csrf_token %}`, `{% autoescape off %}`, and no
`safe`/`safeseq` filters — the values are what leads typed into a form, so the HTML part always
shows them as text.
"""

from __future__ import annotations

from django.template import Library, defaultfilters, defaulttags

ALLOWED_TAGS = frozenset(
    {
        "if",
        "for",
        "with",
        "firstof",
        "cycle",
        "comment",
        "spaceless",
        "now",
        "verbatim",
        "templatetag",
        "widthratio",
        "ifchanged",
        "regroup",
        "resetcycle",
        "filter",
    }
)
BLOCKED_FILTERS = frozenset({"safe", "safeseq", "pprint"})

register = Library()
register.tags.update({name: tag for name, tag in defaulttags.register.tags.items() if name in ALLOWED_TAGS})
register.filters.update(
    {name: f for name, f in defaultfilters.register.filters.items() if name not in BLOCKED_FILTERS}
)

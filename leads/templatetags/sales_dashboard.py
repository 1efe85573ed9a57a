"""`{% sales_dashboard as dash %}`: the sales dashboard's data for the admin index template.

`AdminSite.index` is Django's view, so instead of subclassing the site the project's
`templates/admin/index.html` asks for the data here. It is computed once per page, by the
`leads.dashboard` selectors, for `request.user`; users who may not view leads get None (and so
no dashboard, just the stock app list).
"""

from __future__ import annotations

from typing import Any

from django import template

from leads.dashboard import Dashboard, dashboard_for

register = template.Library()


@register.simple_tag(takes_context=True)
def sales_dashboard(context: dict[str, Any]) -> Dashboard | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_active or not user.is_staff:
        return None
    if not (user.has_perm("leads.view_lead") or user.has_perm("leads.change_lead")):
        return None
    return dashboard_for(user=user)

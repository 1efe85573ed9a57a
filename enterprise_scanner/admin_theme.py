"""Third-party admins re-registered on django-unfold's bases, so every admin page (users, groups,
audit log, lockouts, background task results) is drawn in the same theme as our own.

Imported by `enterprise_scanner.api.admin`: that app comes after auth, auditlog, axes and
django_tasks_db in INSTALLED_APPS, so their admins are registered (and can be replaced) by then.
The behaviour of each admin is the library's; only the base class changes.
"""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm


class UserAdmin(BaseUserAdmin, ModelAdmin):
    """Django's user admin with unfold's widgets on its three forms."""

    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm


class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


class UnfoldAccessAttemptAdmin(AccessAttemptAdmin, ModelAdmin):
    pass


class UnfoldAccessLogAdmin(AccessLogAdmin, ModelAdmin):
    pass


class UnfoldAccessFailureLogAdmin(AccessFailureLogAdmin, ModelAdmin):
    pass


class UnfoldDBTaskResultAdmin(DBTaskResultAdmin, ModelAdmin):
    pass


_REPLACEMENTS: tuple[tuple[type, type[admin.ModelAdmin]], ...] = (
    (User, UserAdmin),
    (Group, GroupAdmin),
    (AccessAttempt, UnfoldAccessAttemptAdmin),
    (AccessLog, UnfoldAccessLogAdmin),
    (AccessFailureLog, UnfoldAccessFailureLogAdmin),
    (DBTaskResult, UnfoldDBTaskResultAdmin),
)

for _model, _admin_class in _REPLACEMENTS:
    # axes registers its admins only when AXES_ENABLE_ADMIN is on: replace what is there.
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, _admin_class)

"""Applying a merge: the survivor takes the other leads' rows and fields, and they are deleted."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from analytics.models import Visitor
from assessments.models import MonitoredTarget, RoiCalculation, SecurityAssessment
from chat.models import Conversation
from partners.models import Commission

from ..models import Lead, LeadEvent, LeadEventKind, LeadNote, LeadTask
from ..selectors import lead_queryset_for_user
from ..services import lead_event_record, lead_rescore_later, lead_sync_next_follow_up
from .plan import MergePlan, lead_merge_plan

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

#: The relations the merge plan displays and compares: joined when the leads are loaded.
_RELATED = ("company", "owner", "partner", "visitor")

#: Every model whose rows belong to a lead through a `lead` foreign key: they all move.
_MOVED_MODELS = (
    LeadEvent,
    LeadNote,
    LeadTask,
    Conversation,
    SecurityAssessment,
    MonitoredTarget,
    RoiCalculation,
    Visitor,
    Commission,
)


def leads_for_merge(
    *, user: AbstractBaseUser | AnonymousUser, ids: Iterable[str | uuid.UUID], lock: bool = False
) -> list[Lead]:
    """The leads with these ids that `user` may merge, in the order given.

    Raises ValidationError for malformed ids and, without saying which, when any lead does not
    exist or is not visible to the user (a rep cannot learn about another rep's leads by URL).
    """
    parsed: list[uuid.UUID] = []
    for raw in ids:
        try:
            parsed.append(raw if isinstance(raw, uuid.UUID) else uuid.UUID(str(raw).strip()))
        except ValueError:
            raise ValidationError(f"{str(raw)[:40]!r} is not a lead id.") from None
    base = Lead.objects.select_related(*_RELATED)
    if lock:
        # Lock in id order so two merges of overlapping leads cannot deadlock.
        base = base.select_for_update(of=("self",)).order_by("pk")
    found = {lead.pk: lead for lead in lead_queryset_for_user(user=user, queryset=base).filter(pk__in=parsed)}
    if len(found) != len(set(parsed)):
        raise ValidationError("Some of the chosen leads do not exist (any more) or are not yours to merge.")
    return [found[pk] for pk in dict.fromkeys(parsed)]


def _locked_merge_plan(*, keep: Lead, others: Sequence[Lead], actor: AbstractBaseUser) -> MergePlan:
    """The plan rebuilt from the leads' rows locked now, after checking the actor may merge them.

    Raises PermissionDenied, or ValidationError when the plan refuses the merge.
    """
    if not actor.has_perm("leads.change_lead"):
        raise PermissionDenied("You may not change leads.")
    other_ids = [lead.pk for lead in others]
    if keep.pk in other_ids:
        raise ValidationError("A lead cannot be merged with itself.")
    locked = leads_for_merge(user=actor, ids=[keep.pk, *other_ids], lock=True)
    plan = lead_merge_plan(keep=locked[0], others=locked[1:])
    if plan.errors:
        raise ValidationError(plan.errors)
    return plan


def _apply_field_changes(plan: MergePlan) -> None:
    """Save the survivor with the plan's changed fields (and the Fortune 500 flag of a new company)."""
    keep = plan.keep
    update_fields = ["updated_at"]
    for change in plan.fields:
        if change.changes:
            setattr(keep, change.name, change.value)
            update_fields.append(change.name)
    if "company" in update_fields:
        keep.is_fortune_500 = bool(keep.company and keep.company.is_fortune_500)
        update_fields.append("is_fortune_500")
    keep.save(update_fields=update_fields)


@transaction.atomic
def lead_merge(*, keep: Lead, others: Sequence[Lead], actor: AbstractBaseUser) -> MergePlan:
    """Merge `others` into `keep` and delete them; returns the plan that was applied.

    Who may merge: anyone with `leads.change_lead` on every involved lead, i.e. managers on
    any leads and reps on their own and unassigned ones. Merging deletes the other leads, but
    nothing of theirs is lost (it all moves to the survivor), so it does not need
    `delete_lead`, which reps do not have.

    The rows are locked and the plan rebuilt from them, so what is applied is what the data
    says now, not what a preview showed a minute ago. Raises PermissionDenied or ValidationError.
    """
    plan = _locked_merge_plan(keep=keep, others=others, actor=actor)
    keep, ids = plan.keep, [lead.pk for lead in plan.others]
    for model in _MOVED_MODELS:
        model.objects.filter(lead__in=ids).update(lead=keep)
    _apply_field_changes(plan)
    # The moved tasks decide the survivor's next follow-up, whatever the plan picked for it.
    lead_sync_next_follow_up(lead=keep)
    Lead.objects.filter(pk__in=ids).delete()

    emails = ", ".join(lead.email for lead in plan.others)
    lead_event_record(
        lead=keep,
        kind=LeadEventKind.MERGED,
        summary=f"Merged {emails} into this lead",
        data=plan.as_data(),
        actor=actor,
    )
    lead_rescore_later(lead=keep)
    return plan

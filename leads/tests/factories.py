"""factory-boy factories for the leads domain (and the staff users who work it)."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from enterprise_scanner.group_permissions import replay_group_grants
from leads.models import Company, Lead, LeadEvent, LeadEventKind, LeadNote, LeadTask, TaskKind


def sales_groups(names: list[str]) -> list[Group]:
    """The named staff groups, re-created with every grant the migrations make (their own code)
    when a transactional test (browser tests) has flushed the tables they were migrated into."""
    if Group.objects.filter(name__in=names).count() < len(set(names)):
        replay_group_grants()
    return list(Group.objects.filter(name__in=names))


TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user. Pass `groups=["Sales rep"]` to put it in groups."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@enterprisescanner.test")
    is_staff = True
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def groups(obj, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            obj.groups.set(sales_groups(extracted))


class SalesRepFactory(UserFactory):
    @factory.post_generation
    def groups(obj, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            obj.groups.set(sales_groups(extracted or ["Sales rep"]))


class SalesManagerFactory(UserFactory):
    @factory.post_generation
    def groups(obj, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            obj.groups.set(sales_groups(extracted or ["Sales manager"]))


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("domain",)

    name = factory.Faker("company")
    domain = factory.Sequence(lambda n: f"company{n}.example")
    industry = "Software"
    employee_count = 250


class Fortune500CompanyFactory(CompanyFactory):
    name = "JPMorgan Chase"
    domain = "jpmorganchase.com"
    industry = "Commercial Banks"
    employee_count = 317233
    fortune_rank = 11
    fortune_year = 2025


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@company{n}.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    job_title = "Security Engineer"
    company = factory.SubFactory(CompanyFactory)
    score = 40

    @factory.post_generation
    def follow_up_task(obj: Lead, create: bool, extracted, **kwargs) -> None:
        """A lead made with `next_follow_up_at` gets the open follow-up task that time stands
        for (the services keep the two equal), so tests build the data the app would."""
        if create and obj.next_follow_up_at is not None and not obj.tasks.exists():
            LeadTask.objects.create(
                lead=obj, title="Follow up", kind=TaskKind.FOLLOW_UP, due_at=obj.next_follow_up_at
            )


class LeadTaskFactory(factory.django.DjangoModelFactory):
    """An open task. Prefer `leads.services.task_create` where the lead's next follow-up
    matters: this factory does not update it."""

    class Meta:
        model = LeadTask
        skip_postgeneration_save = True

    lead = factory.SubFactory(LeadFactory)
    title = factory.Sequence(lambda n: f"Call back #{n}")
    kind = TaskKind.CALL
    due_at = factory.LazyFunction(timezone.now)


class LeadEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadEvent

    lead = factory.SubFactory(LeadFactory)
    kind = LeadEventKind.SUBMITTED
    summary = "Submitted the demo request form"
    actor_label = "website form"


class LeadNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadNote

    lead = factory.SubFactory(LeadFactory)
    author = factory.SubFactory(UserFactory)
    body = "Called, left a voicemail."

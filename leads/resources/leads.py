"""`LeadResource`: leads in and out of CSV/XLSX files, keyed by e-mail (the per-row cleaning is
in `lead_rows`, the set-based writes in `lead_writes`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from import_export import resources
from import_export.fields import Field
from import_export.widgets import BooleanWidget, DateTimeWidget, DecimalWidget, IntegerWidget

from ..duplicates import DuplicateIndex
from ..emails import EmailNotValidError, email_normalise
from ..import_policy import overwrite_columns_clean
from ..import_preview import ImportPreviewRow, preview_row_build
from ..models import Company, Lead
from ..scoring import ScoringConfig
from ..scoring.deal_value import DealValueConfig
from ..selectors import lead_queryset_for_user, leads_by_email_key, user_is_sales_manager
from .cells import (
    _cell_text,
    _SafeExportMixin,
)
from .lead_columns import (
    LEAD_EXPORT_ONLY_COLUMNS,
    LEAD_IMPORT_COLUMNS,
    LeadEmailInstanceLoader,
    LeadImportRow,
    lead_import_columns_check,
    lead_import_unknown_columns,
)
from .lead_rows import LeadRowsMixin
from .lead_writes import LeadWritesMixin

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class LeadResource(_SafeExportMixin, LeadRowsMixin, LeadWritesMixin, resources.ModelResource):
    """Leads in and out of CSV/XLSX files, keyed by e-mail address.

    Import: a row whose e-mail (normalised like the API's, compared without case) is known
    updates that lead, otherwise a new lead is created; a row is never a duplicate. For a known
    lead each field follows `leads.import_policy` (blank cells keep, empty fields are filled,
    status only moves forward, the first touch is never replaced, other values only when the
    importer chose to overwrite their column). A row with problems (bad e-mail, unknown status, source or owner, a
    value too long, the same e-mail as an earlier row, a lead the user may not change) is
    reported with its number and every problem, and the other rows still import.

    New leads, in bulk (`use_bulk`; see `leads.importing` for speed): linked to the company of
    their mail domain (`services.companies_resolve`, the set form of `company_resolve`), scored
    in memory with `lead_rescore`'s own steps (an imported lead has no activity yet), and
    given timeline entries (imported, company matched, scored), then checked for duplicates
    (`leads.duplicates.leads_flag_new_duplicates`). A lead that would be hot is left to
    `lead_rescore_later` instead, so qualifying and the sales alert happen exactly as for a
    website lead. Existing leads: changed fields are bulk-updated and written on the timeline
    ("updated", with old and new values); status, owner and follow-up changes go through
    `lead_change_status`, `lead_assign` and `lead_schedule_follow_up`.

    Who may do what: with a user (passed as `user=`, or the `user` kwarg the admin gives
    `import_data`), a sales rep may only change leads they may see (`lead_queryset_for_user`)
    and assign only to themselves; with none (the command line) everything is allowed.
    Exports made with `user=` are scoped the same way, whatever queryset the caller passes.

    What the admin must do (django-import-export 4.4 passes no request to resources)::

        class LeadAdmin(ImportMixin, ExportActionModelAdmin):  # or ImportExportMixin, …
            resource_classes = [LeadResource]

            def get_resource_kwargs(self, request, *args, **kwargs):
                # import and export: the user, for scoping and the timeline's actor
                return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}

            def get_export_queryset(self, request):
                # the changelist's filters and search, within what the user may see
                return lead_queryset_for_user(user=request.user, queryset=super().get_export_queryset(request))
    """

    email = Field(attribute="email", column_name="email")
    company = Field(attribute="company_name", column_name="company")
    owner = Field(attribute="owner__username", column_name="owner")
    consent_marketing = Field(
        attribute="consent_marketing", column_name="consent_marketing", widget=BooleanWidget()
    )
    next_follow_up_at = Field(
        attribute="next_follow_up_at", column_name="next_follow_up_at", widget=DateTimeWidget()
    )
    score = Field(attribute="score", column_name="score", readonly=True, widget=IntegerWidget())
    estimated_deal_value = Field(
        attribute="estimated_deal_value",
        column_name="estimated_deal_value",
        readonly=True,
        widget=DecimalWidget(),
    )
    company_domain = Field(attribute="company__domain", column_name="company_domain", readonly=True)
    fortune_rank = Field(
        attribute="company__fortune_rank", column_name="fortune_rank", readonly=True, widget=IntegerWidget()
    )
    created_at = Field(
        attribute="created_at", column_name="created_at", readonly=True, widget=DateTimeWidget()
    )

    class Meta:
        model = Lead
        fields = LEAD_IMPORT_COLUMNS + LEAD_EXPORT_ONLY_COLUMNS
        import_order = LEAD_IMPORT_COLUMNS
        export_order = LEAD_IMPORT_COLUMNS + LEAD_EXPORT_ONLY_COLUMNS
        import_id_fields = ("email",)
        instance_loader_class = LeadEmailInstanceLoader
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        report_skipped = True
        use_transactions = True  # and the preview's row diffs are shown

    def __init__(
        self,
        *,
        user: AbstractBaseUser | AnonymousUser | None = None,
        default_owner: AbstractBaseUser | None = None,
        source_name: str = "",
        overwrite: Iterable[str] = (),
        preview: bool = False,
        **kwargs: Any,
    ) -> None:
        """`user`: who imports or exports (scoping, timeline actor); `default_owner`: owner of new
        leads whose row names none; `source_name`: the file name shown on the timeline;
        `overwrite`: the columns whose existing values the importer chose to replace
        (`leads.import_policy`); `preview`: keep one `ImportPreviewRow` per row for the admin."""
        super().__init__(**kwargs)
        self.user = user
        self.overwrite = overwrite_columns_clean(overwrite)
        self.preview: list[ImportPreviewRow] | None = [] if preview else None
        self.unknown_columns: list[str] = []
        self.default_owner = default_owner
        self.source_name = source_name
        self.current: LeadImportRow | None = None
        self.row_numbers: list[int] | None = None
        self._seen: dict[str, int] = {}  # e-mail key → first row with it, over the whole file
        self._users: dict[str, Any] | None = None
        self._email_cache: dict[str, str | Exception] = {}
        self._companies: dict[str, Company] = {}
        self._duplicates: DuplicateIndex | None = None
        self._scoring = ScoringConfig.from_settings()
        self._deal_value = DealValueConfig.from_settings()
        self._score_memo: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        self._now = timezone.now()

    # --- Who -----------------------------------------------------------------------------------

    @property
    def actor(self) -> AbstractBaseUser | None:
        user = self.user
        return user if user is not None and user.is_authenticated else None  # type: ignore[return-value]

    @property
    def restricted(self) -> bool:
        """Whether the importing user is limited to their own leads and the unassigned queue."""
        return self.user is not None and not user_is_sales_manager(self.user)

    def _staff_by_username(self) -> dict[str, Any]:
        if self._users is None:
            users = get_user_model().objects.filter(is_active=True, is_staff=True)
            self._users = {user.get_username(): user for user in users}
        return self._users

    # --- Export --------------------------------------------------------------------------------

    def get_queryset(self) -> QuerySet[Lead]:
        return Lead.objects.select_related("company", "owner").order_by("created_at", "pk")

    def filter_export(self, queryset: QuerySet[Lead], **kwargs: Any) -> QuerySet[Lead]:
        """Only the leads the exporting user may see, with company and owner joined (one query)."""
        queryset = queryset.select_related("company", "owner")
        if self.user is not None:
            queryset = lead_queryset_for_user(user=self.user, queryset=queryset)
        return queryset

    # --- Import: per chunk ---------------------------------------------------------------------

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        """Check the columns, and learn who imports and from where (the admin passes `user`
        and `file_name`; `leads.importing` passes each chunk's `row_numbers` in the file)."""
        dataset.headers = lead_import_columns_check(dataset.headers or [])
        self.unknown_columns = lead_import_unknown_columns(dataset.headers)
        if self.user is None and kwargs.get("user") is not None:
            self.user = kwargs["user"]
        self.source_name = self.source_name or str(kwargs.get("file_name") or "")
        self.row_numbers = kwargs.get("row_numbers")
        self._companies = {}
        self._now = timezone.now()

    def _normalised_email(self, raw: str) -> str | Exception:
        """The address as the API stores it (`leads.emails`, no DNS), cached for the loader."""
        cached = self._email_cache.get(raw)
        if cached is None:
            try:
                cached = email_normalise(raw)
            except EmailNotValidError as exc:
                cached = exc
            if len(self._email_cache) > 50_000:
                self._email_cache.clear()
            self._email_cache[raw] = cached
        return cached

    def existing_leads(self, dataset: Any) -> dict[str, Lead]:
        """The known leads of this chunk's e-mails, by lower-cased e-mail (the unique index)."""
        keys = set()
        if dataset is not None and "email" in (dataset.headers or []):
            for raw in dataset["email"]:
                email = self._normalised_email(_cell_text(raw))
                if isinstance(email, str):
                    keys.add(email.lower())
        return leads_by_email_key(keys=keys)

    def import_row(self, row: dict[str, Any], instance_loader: Any, **kwargs: Any) -> Any:
        """Import one row as import-export does, and note for the preview what became of it."""
        row_result = super().import_row(row, instance_loader, **kwargs)
        if self.preview is not None:
            self.preview.append(
                preview_row_build(
                    number=int(kwargs.get("row_number") or 0),
                    row=row,
                    row_result=row_result,
                    current=self.current,
                )
            )
        return row_result

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        """A chunk with errors is rolled back, so its leads must leave the duplicates index.
        (No sequence to reset, as ModelResource would: leads have UUID keys.) The preview rows
        and ignored columns travel on the result, to the admin's preview."""
        if result.has_errors():
            self._duplicates = None
        result.lead_preview = self.preview
        result.unknown_columns = self.unknown_columns

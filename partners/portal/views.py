"""Pages of the partner portal (/partners/). Thin: check who is asking, read through the
selectors scoped to the member's own partner, or hand a form to a service.

Who may use it: a signed-in, active, non-staff user with a `PartnerMember` (`member_required`).
Every read starts from `request.member.partner`, never from an id in the request, so another
partner's rows are simply not in any query (an id of theirs in a URL is a 404).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import date, timedelta
from io import BytesIO
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import CommissionStatus, MemberRole, PartnerInvite
from ..selectors import (
    partner_commission_totals,
    partner_commissions,
    partner_lead_totals,
    partner_members,
    partner_portal_leads,
    partner_statement_months,
    portal_member_for_user,
)
from ..statements import statement_download, statement_for
from . import services
from .forms import (
    AcceptInviteForm,
    ColleagueInviteForm,
    DealForm,
    OtpTokenForm,
    PortalLoginForm,
    PortalPasswordResetForm,
)
from .selectors import partner_click_counts

PAGE_SIZE = 25
#: Session keys: a password checked, waiting for the 2FA code; a sign-in of an account without 2FA.
PENDING_USER, PENDING_AT, NO_2FA = "portal_pending_user", "portal_pending_at", "portal_no_2fa"
#: Seconds between the password and the code before the password must be entered again.
PENDING_SECONDS = 300
#: The backend a 2FA sign-in is recorded with (the password was checked by the full chain, axes included).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _to_login(request: HttpRequest) -> HttpResponse:
    return auth_views.redirect_to_login(request.get_full_path(), reverse("partner-portal:login"))


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous → the portal's sign-in; staff or a user without membership → 403 page; a
    session that skipped the 2FA step of an account that has it → sign in again."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _to_login(request)
        member = portal_member_for_user(user=request.user)
        if member is None:
            return render(request, "partners/portal/forbidden.html", status=403)
        if not (request.user.is_verified() or request.session.get(NO_2FA)):
            return _to_login(request)
        request.member = member  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def _context(request: HttpRequest, section: str, **extra: Any) -> dict[str, Any]:
    return {"member": request.member, "partner": request.member.partner, "section": section, **extra}


# --- Sign-in, 2FA step, sign-out, password reset ----------------------------------------------


class PortalLoginView(auth_views.LoginView):
    """Django's LoginView (django-axes guards it like the admin's), with the 2FA step: an account
    with a confirmed authenticator is not signed in until its code is given."""

    template_name = "partners/portal/login.html"
    form_class = PortalLoginForm
    redirect_authenticated_user = False

    def get_default_redirect_url(self) -> str:
        return reverse("partner-portal:overview")

    def form_valid(self, form: PortalLoginForm) -> HttpResponse:
        user = form.get_user()
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            self.request.session[PENDING_USER] = user.pk
            self.request.session[PENDING_AT] = time.time()
            query = urlencode({REDIRECT_FIELD_NAME: self.get_success_url()})
            return HttpResponseRedirect(reverse("partner-portal:login-code") + "?" + query)
        response = super().form_valid(form)
        self.request.session[NO_2FA] = True
        return response


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("partner-portal:overview")


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: the 6-digit code of the partner's authenticator app."""
    user_id, started = request.session.get(PENDING_USER), request.session.get(PENDING_AT, 0)
    if user_id is None or time.time() - float(started) > PENDING_SECONDS:
        request.session.pop(PENDING_USER, None)
        messages.error(request, "Enter your e-mail and password again (the sign-in took too long).")
        return redirect("partner-portal:login")
    user = get_object_or_404(get_user_model(), pk=user_id, is_active=True, is_staff=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip().replace(" ", "")
        device = next(
            (d for d in TOTPDevice.objects.filter(user=user, confirmed=True) if d.verify_token(token)), None
        )
        if device is not None:
            request.session.pop(PENDING_USER, None)
            request.session.pop(PENDING_AT, None)
            auth_login(request, user, backend=MODEL_BACKEND)
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", "That code is not right. Enter the 6 digits your app shows now.")
    return render(
        request,
        "partners/portal/login_code.html",
        {"form": form, "next": request.GET.get(REDIRECT_FIELD_NAME, "")},
    )


class PortalLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("partner-portal:login")


class PortalPasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    template_name = "partners/portal/password_reset_form.html"
    email_template_name = "partners/portal/email/password_reset.txt"
    subject_template_name = "partners/portal/email/password_reset_subject.txt"
    success_url = reverse_lazy("partner-portal:password-reset-done")

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        """The link in the e-mail starts with SITE_URL, not with whatever Host the request named."""
        return {"site_url": settings.SITE_URL}


class PortalPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "partners/portal/password_reset_done.html"


class PortalPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "partners/portal/password_reset_confirm.html"
    success_url = reverse_lazy("partner-portal:password-reset-complete")


class PortalPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "partners/portal/password_reset_complete.html"


# --- Invitation -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Set a name and password for an invitation; a link that cannot be used gets a page that
    says why and what to do (410 for used/expired, 404 for unknown), never an error page."""
    invite = services.invite_find(token=token)
    if invite is None:
        return render(
            request,
            "partners/portal/invite_invalid.html",
            {"reason": "This invitation link is not valid. It may have been replaced by a newer one."},
            status=404,
        )
    refusal = services.invite_refusal(invite)
    if refusal:
        return render(request, "partners/portal/invite_invalid.html", {"reason": refusal}, status=410)
    form = AcceptInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = services.Account(
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
        )
        try:
            member = services.invite_accept(token=token, account=account)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field, errors)
            else:
                return render(
                    request,
                    "partners/portal/invite_invalid.html",
                    {"reason": " ".join(exc.messages)},
                    status=410,
                )
        else:
            auth_login(request, member.user, backend=MODEL_BACKEND)
            request.session[NO_2FA] = True
            messages.success(
                request, f"Welcome, {member.user.first_name}. Your partner portal account is ready."
            )
            return redirect("partner-portal:overview")
    return render(request, "partners/portal/invite_accept.html", {"form": form, "invite": invite})


# --- Pages ------------------------------------------------------------------------------------


@member_required
def overview(request: HttpRequest) -> HttpResponse:
    partner = request.member.partner
    since = timezone.now() - timedelta(days=30)
    return render(
        request,
        "partners/portal/overview.html",
        _context(
            request,
            "overview",
            referral_link=f"{settings.SITE_URL}/?ref={partner.referral_code}",
            clicks=partner_click_counts(partner=partner, since=since),
            lead_totals=partner_lead_totals(partner=partner),
            commission_totals=[
                (CommissionStatus(status).label, amount)
                for status, amount in partner_commission_totals(partner=partner).items()
            ],
        ),
    )


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@member_required
def leads(request: HttpRequest) -> HttpResponse:
    page = _page(request, partner_portal_leads(partner=request.member.partner))
    return render(request, "partners/portal/leads.html", _context(request, "leads", page=page))


@member_required
def lead_detail(request: HttpRequest, lead_id: Any) -> HttpResponse:
    lead = get_object_or_404(partner_portal_leads(partner=request.member.partner), pk=lead_id)
    return render(request, "partners/portal/lead_detail.html", _context(request, "leads", lead=lead))


@member_required
def commissions(request: HttpRequest) -> HttpResponse:
    partner = request.member.partner
    page = _page(request, partner_commissions(partner=partner))
    for commission in page.object_list:
        commission.rate_percent = f"{(commission.rate * 100).normalize():f}"
    return render(
        request,
        "partners/portal/commissions.html",
        _context(request, "commissions", page=page, months=partner_statement_months(partner=partner)),
    )


@member_required
def statement(request: HttpRequest, month: str, kind: str) -> HttpResponse:
    """One month's statement of the member's own partner (`YYYY-MM`, csv or pdf)."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError as exc:
        raise Http404("No such month.") from exc
    result = statement_for(partner=request.member.partner, month=first)
    return statement_download(result, kind)


DEAL_SESSION_KEY = "portal_last_deal"


@member_required
@require_http_methods(["GET", "POST"])
def deal_register(request: HttpRequest) -> HttpResponse:
    """Register a deal: errors per field, and every value kept in the form until it is accepted."""
    form = DealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        deal = services.DealRegistration(
            company=data["company"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            job_title=data["job_title"],
            notes=data["notes"],
        )
        try:
            outcome = services.deal_register(member=request.member, deal=deal)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            request.session[DEAL_SESSION_KEY] = {
                "company": data["company"],
                "created": outcome.created,
                "attributed": outcome.attributed,
                "lead": str(outcome.lead.pk) if outcome.attributed else "",
            }
            return redirect("partner-portal:deal-done")
    return render(request, "partners/portal/deal_form.html", _context(request, "deal", form=form))


@member_required
def deal_done(request: HttpRequest) -> HttpResponse:
    outcome = request.session.get(DEAL_SESSION_KEY)
    if not outcome:
        return redirect("partner-portal:deal")
    return render(request, "partners/portal/deal_done.html", _context(request, "deal", outcome=outcome))


# --- Team: owners invite colleagues ----------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest) -> HttpResponse:
    """The partner's portal accounts and open invitations; an owner may invite a colleague
    (as a member: only Enterprise Scanner makes owners)."""
    member = request.member
    is_owner = member.role == MemberRole.OWNER
    form = ColleagueInviteForm(request.POST or None)
    if request.method == "POST":
        if not is_owner:
            return render(request, "partners/portal/forbidden.html", status=403)
        if form.is_valid():
            try:
                invite = services.invite_create(
                    partner=member.partner, email=form.cleaned_data["email"], invited_by=request.user
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, f"Invitation sent to {invite.email}.")
                return redirect("partner-portal:team")
    invites = PartnerInvite.objects.filter(
        partner=member.partner,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("-created_at")
    return render(
        request,
        "partners/portal/team.html",
        _context(
            request,
            "team",
            members=partner_members(partner=member.partner),
            invites=invites,
            form=form,
            is_owner=is_owner,
        ),
    )


# --- Security: two-factor sign-in -------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    enabled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    form = OtpTokenForm(request.POST or None)
    form.fields["token"].widget.attrs.pop("autofocus", None)  # the page explains first
    if request.method == "POST" and form.is_valid():
        try:
            if enabled:
                services.totp_disable(user=user, token=form.cleaned_data["token"])
                request.session[NO_2FA] = True
                messages.success(request, "Two-factor sign-in is off.")
            else:
                device = services.totp_confirm(user=user, token=form.cleaned_data["token"])
                otp_login(request, device)
                request.session.pop(NO_2FA, None)
                messages.success(
                    request, "Two-factor sign-in is on. You will be asked for a code when you sign in."
                )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect("partner-portal:security")
    secret = ""
    if not enabled:
        device = services.totp_device_pending(user=user)
        secret = _base32(device.bin_key)
    return render(
        request,
        "partners/portal/security.html",
        _context(request, "security", enabled=enabled, form=form, secret=secret),
    )


def _base32(key: bytes) -> str:
    from base64 import b32encode

    raw = b32encode(key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@member_required
def security_qr(request: HttpRequest) -> HttpResponse:
    """The enrolment QR code as SVG (an image of our own origin: no inline script or data)."""
    import qrcode
    import qrcode.image.svg

    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        raise Http404("Two-factor sign-in is already on.")
    device = services.totp_device_pending(user=request.user)
    out = BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(out)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response

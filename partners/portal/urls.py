"""The partner portal under /partners/ (namespace `partner-portal`)."""

from django.urls import path, re_path

from . import views

app_name = "partner-portal"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("leads/", views.leads, name="leads"),
    path("leads/<uuid:lead_id>/", views.lead_detail, name="lead"),
    path("commissions/", views.commissions, name="commissions"),
    re_path(r"^statements/(?P<month>\d{4}-\d{2})\.(?P<kind>csv|pdf)$", views.statement, name="statement"),
    path("deals/new/", views.deal_register, name="deal"),
    path("deals/registered/", views.deal_done, name="deal-done"),
    path("team/", views.team, name="team"),
    path("security/", views.security, name="security"),
    path("security/qr.svg", views.security_qr, name="security-qr"),
    path("login/", views.PortalLoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login-code"),
    path("logout/", views.PortalLogoutView.as_view(), name="logout"),
    path("password-reset/", views.PortalPasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", views.PortalPasswordResetDoneView.as_view(), name="password-reset-done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PortalPasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/complete/",
        views.PortalPasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("invite/<str:token>/", views.invite_accept, name="invite-accept"),
]

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from chat.views import demo_page, help_article, help_index
from leads.nurture.views import unsubscribe

from .health import healthz
from .security_txt import security_txt

admin.site.site_header = "Enterprise Scanner CRM"
admin.site.site_title = "Enterprise Scanner"
admin.site.index_title = "Sales"

api_v1 = [
    # Each domain app adds its routes here as it gains an API.
    path("", include("leads.urls")),
    path("", include("assessments.urls")),
    path("", include("analytics.urls")),
    path("", include("partners.urls")),
]

urlpatterns = [
    path("", demo_page, name="demo"),
    path("help/", help_index, name="help-index"),
    path("help/<slug:slug>/", help_article, name="help-article"),
    path("partners/", include("partners.portal.urls")),
    path("healthz", healthz, name="healthz"),
    # The one-click unsubscribe link of nurture e-mails (short: it sits in a mail header).
    path("u/<str:token>/", unsubscribe, name="nurture-unsubscribe"),
    path(".well-known/security.txt", security_txt, name="security-txt"),
    # The pipeline board lives under the lead admin (admin:leads_board); this short address is
    # the one people share and type.
    path("admin/leads/board/", RedirectView.as_view(pattern_name="admin:leads_board", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (?script=), so the
    # page needs no inline script under our Content-Security-Policy.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "enterprise_scanner.api.error_pages.bad_request"
handler404 = "enterprise_scanner.api.error_pages.not_found"
handler500 = "enterprise_scanner.api.error_pages.server_error"

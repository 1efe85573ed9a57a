from django.urls import path

from .apis import AssessmentCollectionApi, AssessmentDetailApi, AssessmentReportApi, RoiApi

urlpatterns = [
    path("assessments/", AssessmentCollectionApi.as_view(), name="assessment-list"),
    path("assessments/<uuid:pk>/", AssessmentDetailApi.as_view(), name="assessment-detail"),
    path("assessments/<uuid:pk>/report.pdf", AssessmentReportApi.as_view(), name="assessment-report"),
    path("roi/", RoiApi.as_view(), name="roi"),
]

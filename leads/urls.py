from django.urls import path

from .activity_api import LeadActivityApi
from .apis import LeadCollectionApi, LeadDetailApi

urlpatterns = [
    path("leads/", LeadCollectionApi.as_view(), name="lead-list"),
    path("leads/<uuid:pk>/", LeadDetailApi.as_view(), name="lead-detail"),
    path("leads/<uuid:pk>/activities/", LeadActivityApi.as_view(), name="lead-activities"),
]

from django.urls import path

from .apis import LeadCollectionApi, LeadDetailApi

urlpatterns = [
    path("leads/", LeadCollectionApi.as_view(), name="lead-list"),
    path("leads/<uuid:pk>/", LeadDetailApi.as_view(), name="lead-detail"),
]

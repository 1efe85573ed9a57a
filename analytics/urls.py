from django.urls import path

from .apis import EventBatchApi

urlpatterns = [
    path("events/", EventBatchApi.as_view(), name="event-batch"),
]

from django.urls import path

from .apis import PartnerCommissionsApi, PartnerReferralsApi

urlpatterns = [
    path("partner/referrals/", PartnerReferralsApi.as_view(), name="partner-referrals"),
    path("partner/commissions/", PartnerCommissionsApi.as_view(), name="partner-commissions"),
]

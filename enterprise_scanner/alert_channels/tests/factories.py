from __future__ import annotations

import factory

from ..models import AlertChannel, ChannelKind


class AlertChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AlertChannel

    name = factory.Sequence(lambda n: f"#sales-alerts-{n}")
    kind = ChannelKind.SLACK
    webhook_url = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"

"""Outbound webhooks: signed HTTP POSTs to endpoints that managers register (issue 17 §1)."""

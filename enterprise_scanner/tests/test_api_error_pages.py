"""A URL under /api/ that matches no view still answers in the API's JSON error shape."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_an_unroutable_api_url_gets_a_json_404_and_the_site_keeps_its_html_page() -> None:
    client = Client()
    api = client.get("/api/v1/leads/not-a-uuid/")
    assert api.status_code == 404
    assert api["Content-Type"] == "application/json"
    assert api.json() == {"detail": "Not found."}

    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_the_schema_documents_the_errors_every_operation_can_answer() -> None:
    schema = Client().get("/api/schema/?format=json").json()
    leads_list = schema["paths"]["/api/v1/leads/"]["get"]
    assert {"400", "401", "403", "404", "429", "503"} <= set(leads_list["responses"])
    assert leads_list["security"] == [{"ApiKey": []}]  # reading leads needs a secret key
    assert schema["paths"]["/api/v1/leads/"]["post"]["security"] == [{"SiteKey": []}]
    error = leads_list["responses"]["401"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/ErrorOutput"}

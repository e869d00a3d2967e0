"""The OpenAPI schema validates without warnings; the documentation pages and viewers obey the strict CSP."""

import pytest
from django.core.management import call_command

from tests.pages import assert_strict_page

pytestmark = pytest.mark.django_db


def test_spectacular_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/v1/commitments/{id}/", "/api/v1/progress-updates/", "/api/v1/decisions/"):
        assert path in text


def test_schema_documents_every_error_and_if_match(client):
    schema = client.get("/api/schema/?format=json").json()
    patch = schema["paths"]["/api/v1/milestones/{id}/"]["patch"]
    assert {"200", "400", "401", "403", "404", "412", "415", "428", "429"} <= set(patch["responses"])
    assert all(response["description"] for response in patch["responses"].values() if response is not patch["responses"]["200"])
    assert any(p["name"] == "If-Match" and p["required"] for p in patch["parameters"])
    assert "ETag" in patch["responses"]["200"]["headers"]
    assert "ETag" in schema["paths"]["/api/v1/milestones/{id}/"]["get"]["responses"]["200"]["headers"]
    assert "Retry-After" in patch["responses"]["429"]["headers"]
    listing = schema["paths"]["/api/v1/commitments/"]["get"]
    assert {"cursor", "page_size", "ordering", "search", "member_code", "q"} <= {p["name"] for p in listing["parameters"]}
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_guide_page_has_curl_examples(client):
    response = client.get("/api/")
    assert response.status_code == 200
    assert_strict_page(response)
    text = response.content.decode()
    assert "curl" in text and "If-Match" in text and "/api/v1/plans/?member_code=KG" in text
    assert "/api/tokens/" in text and "/api/schema/swagger-ui/" in text
    # The coordinator's script posts progress through the real endpoints: draft, then submit with If-Match.
    assert '"$OGP/api/v1/progress-updates/"' in text and "/progress-updates/7/submit/" in text
    assert '"period": "2019-H2"' in text and "If-Match: $ETAG" in text and "To be wired" not in text


@pytest.mark.parametrize("path", ["/api/schema/swagger-ui/", "/api/schema/redoc/"])
def test_the_viewers_are_served_from_our_static_files_with_no_inline_script(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    html = response.content.decode()
    assert "http://" not in html and "https://" not in html  # no CDN
    assert_strict_page(response)

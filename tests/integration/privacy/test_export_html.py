"""The readable export: a printable HTML document of the record, beside the FHIR Bundle."""

from __future__ import annotations

import re

from careverse.privacy.export_html import CSP
from tests.integration.privacy.support import audit_rows, consent


async def test_the_html_export_holds_the_record_and_no_script(client, person, app):
    patient = await person("patient", name="Amara <b>Nwosu</b>")
    await consent(client, patient, purpose="research", decision="deny")
    response = await client.get("/api/me/export?format=html", headers=patient.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert 'filename="careverse-record.html"' in response.headers["content-disposition"]
    assert CSP in response.headers.get_list("content-security-policy")
    page = response.text
    # The patient's data, escaped: a name is text, never markup.
    assert "Health record of Amara &lt;b&gt;Nwosu&lt;/b&gt;" in page
    assert "<b>" not in page
    assert "Your consent choices" in page and "deny" in page
    # Self-contained and strict-CSP safe: no script, no external asset, one hashed style.
    assert "<script" not in page.lower() and "javascript:" not in page.lower()
    assert not re.search(r"""(src|href)\s*=""", page)
    assert page.count("<style>") == 1 and " style=" not in page
    assert f'content="{CSP}"'.replace("'", "&#x27;") in page
    exports = await audit_rows(app, action="record.export", patient_id=patient.patient_id)
    assert [r.detail for r in exports] == ['{"format": "html"}']


async def test_the_fhir_export_is_unchanged(client, person):
    patient = await person("patient")
    plain = await client.get("/api/me/export", headers=patient.headers)
    explicit = await client.get("/api/me/export?format=fhir", headers=patient.headers)
    for response in (plain, explicit):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/fhir+json")
        assert response.json()["resourceType"] == "Bundle"


async def test_an_unknown_format_is_a_clear_422_and_others_get_nothing(client, person):
    patient, clinician = await person("patient"), await person("clinician")
    bad = await client.get("/api/me/export?format=pdf", headers=patient.headers)
    assert bad.status_code == 422
    refused = await client.get("/api/me/export?format=html", headers=clinician.headers)
    assert refused.status_code == 409 and "<html" not in refused.text
    assert (await client.get("/api/me/export?format=html")).status_code == 401

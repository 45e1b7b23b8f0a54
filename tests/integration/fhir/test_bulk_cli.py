"""``careverse fhir export``: the records of the embedded database as NDJSON files, in process."""

from __future__ import annotations

import json

import pytest
from fhir.resources.R4B import get_fhir_model_class
from typer.testing import CliRunner

from careverse.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREVERSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CAREVERSE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CAREVERSE_ENCRYPTION_KEYS", raising=False)
    return tmp_path


def test_export_writes_one_valid_ndjson_file_per_type(env):
    for email in ("amara@example.org", "ben@example.org"):
        made = runner.invoke(
            app, ["user", "add", email, "--role", "patient", "--password-stdin"],
            input="steady-Lantern-harbor-12\n",
        )  # fmt: skip
        assert made.exit_code == 0, made.output
    out = env / "export"
    result = runner.invoke(app, ["fhir", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Patient.ndjson: 2 resource(s)" in result.output
    written = sorted(p.name for p in out.iterdir())
    assert "Patient.ndjson" in written
    for path in out.iterdir():
        kind = path.name.removesuffix(".ndjson")
        for line in path.read_text().splitlines():
            resource = json.loads(line)
            assert resource["resourceType"] == kind
            get_fhir_model_class(kind).model_validate(resource)
    patients = (out / "Patient.ndjson").read_text().splitlines()
    assert len(patients) == 2

    narrowed = env / "narrowed"
    result = runner.invoke(app, ["fhir", "export", "--type", "Consent", "--out", str(narrowed)])
    assert result.exit_code == 0, result.output
    assert list(narrowed.iterdir()) == []  # nobody has a Consent


def test_export_refuses_bad_options_without_echoing_them(env):
    result = runner.invoke(app, ["fhir", "export", "--since", "yesterday", "--out", str(env)])
    assert result.exit_code == 2
    assert "yesterday" not in result.output

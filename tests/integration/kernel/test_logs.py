"""Logs are JSON and never carry passwords, tokens, e-mail addresses or names."""

from __future__ import annotations

import json


async def test_request_logs_hold_no_personal_data(client, json_logs):
    body = {
        "email": "zanele.mokoena@example.org",
        "password": "Sunflower-Harbour-77",
        "display_name": "Zanele Mokoena",
        "role": "patient",
        "birth_date": "1961-02-03",
    }
    assert (await client.post("/api/auth/register", json=body)).status_code == 202
    token = await client.post(
        "/api/auth/token", data={"username": body["email"], "password": body["password"]}
    )
    access = token.json()["access_token"]
    await client.get("/api/me?name=Zanele", headers={"Authorization": f"Bearer {access}"})
    await client.post("/api/auth/token", data={"username": body["email"], "password": "nope"})
    err = json_logs()
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(rec.get("event") == "http.request" for rec in lines)
    for secret in ("zanele", "Zanele", "Sunflower", "1961-02-03", access, "example.org"):
        assert secret not in err

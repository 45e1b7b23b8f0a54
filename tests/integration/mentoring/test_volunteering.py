"""Volunteering over HTTP on both databases: an organiser posts, a volunteer signs up and logs
hours, the organiser confirms them, the certificate PDF names the confirmed hours; refusals."""

from __future__ import annotations

from tests.integration.community.support import community


async def test_post_sign_up_log_confirm_and_certificate(client, person):
    admin = await person("admin")
    slug = (await community(client, admin, kind="caregiver"))["slug"]
    volunteer = await person("caregiver", name="Vera Volunteer")
    body = {"title": "Greeter in the clinic lobby", "description": "Tuesdays, 2 hours"}
    r = await client.post(f"/api/volunteering/communities/{slug}", json=body,
                          headers=volunteer.headers)  # fmt: skip
    assert r.status_code == 403  # organisers only
    r = await client.post(f"/api/volunteering/communities/{slug}", json=body, headers=admin.headers)
    assert r.status_code == 201, r.text
    opp = r.json()["id"]
    r = await client.get(f"/api/volunteering/communities/{slug}", headers=volunteer.headers)
    assert [o["title"] for o in r.json()["opportunities"]] == ["Greeter in the clinic lobby"]

    hours = {"day": "2026-01-10", "minutes": 120, "note": "Morning shift"}
    r = await client.post(f"/api/volunteering/opportunities/{opp}/hours", json=hours,
                          headers=volunteer.headers)  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "not_signed_up"
    base = f"/api/volunteering/opportunities/{opp}"
    assert (await client.post(f"{base}/sign-up", headers=volunteer.headers)).status_code == 204
    assert (await client.post(f"{base}/sign-up", headers=volunteer.headers)).status_code == 409
    r = await client.post(f"{base}/hours", json={**hours, "day": "2999-01-01"},
                          headers=volunteer.headers)  # fmt: skip
    assert r.status_code == 422 and "day" in r.text
    r = await client.post(f"{base}/hours", json={**hours, "minutes": 5}, headers=volunteer.headers)
    assert r.status_code == 422
    logged = (await client.post(f"{base}/hours", json=hours, headers=volunteer.headers)).json()
    second = (await client.post(f"{base}/hours", json=hours, headers=volunteer.headers)).json()
    r = await client.get("/api/volunteering/me/certificate.pdf", headers=volunteer.headers)
    assert r.status_code == 409 and r.json()["code"] == "no_hours"

    assert (await client.get(f"{base}/hours", headers=volunteer.headers)).status_code == 403
    r = await client.get(f"{base}/hours", headers=admin.headers)
    assert [(h["volunteer"], h["minutes"]) for h in r.json()["hours"]] == [
        ("Vera Volunteer", 120), ("Vera Volunteer", 120)]  # fmt: skip
    r = await client.post(f"{base}/hours/{logged['id']}", json={"confirm": True},
                          headers=admin.headers)  # fmt: skip
    assert r.json()["status"] == "confirmed"
    r = await client.post(f"{base}/hours/{second['id']}", json={"confirm": False},
                          headers=admin.headers)  # fmt: skip
    assert r.json()["status"] == "declined"
    r = await client.post(f"{base}/hours/{second['id']}", json={"confirm": True},
                          headers=admin.headers)  # fmt: skip
    assert r.status_code == 409

    r = await client.get("/api/volunteering/me", headers=volunteer.headers)
    assert r.json()["lines"] == [{"title": "Greeter in the clinic lobby", "minutes": 120}]
    r = await client.get("/api/volunteering/me/certificate.pdf", headers=volunteer.headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


async def test_an_invite_only_communitys_opportunities_are_404_to_outsiders(client, person):
    admin = await person("admin")
    slug = (await community(client, admin, kind="caregiver", visibility="invite"))["slug"]
    r = await client.post(f"/api/volunteering/communities/{slug}", json={"title": "Translator"},
                          headers=admin.headers)  # fmt: skip
    opp = r.json()["id"]
    outsider = await person("patient")
    r = await client.get(f"/api/volunteering/communities/{slug}", headers=outsider.headers)
    assert r.status_code == 404
    r = await client.post(f"/api/volunteering/opportunities/{opp}/sign-up",
                          headers=outsider.headers)  # fmt: skip
    assert r.status_code == 404

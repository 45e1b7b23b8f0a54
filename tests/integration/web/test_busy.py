"""A transient database lock conflict answers 503 + Retry-After, not 500, and leaks nothing."""

from __future__ import annotations

import sqlite3

from sqlalchemy.exc import OperationalError


async def test_database_lock_conflicts_ask_the_caller_to_retry(app, client):
    async def conflict() -> None:
        locked = sqlite3.OperationalError("database is locked")
        raise OperationalError("UPDATE readings SET value=? -- 38.9", {"value": 38.9}, locked)

    app.add_api_route("/api/test-conflict", conflict)
    app.router.routes.insert(0, app.router.routes.pop())  # ahead of the client's catch-all
    response = await client.get("/api/test-conflict")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["code"] == "busy"
    assert "38.9" not in response.text

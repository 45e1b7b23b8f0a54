"""The search toolkit's rules, on Observation (searched in SQL) and Flag (in memory): next and
previous links that stay valid while data arrives, strict and lenient handling, ``_summary``,
``_elements``, ``POST _search`` and 400s that never echo a value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit

from careverse.kernel.uow import unit_of_work
from careverse.monitoring.alert_models import Alert
from tests.integration.fhir.test_resources import fhir
from tests.integration.fhir.test_search_types import matches, searchset
from tests.integration.monitoring.test_fhir_search import HR, people, store

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def links(body: dict) -> dict[str, str]:
    return {link["relation"]: link["url"] for link in body.get("link", [])}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def flags(app, patient_id, count: int, start: datetime) -> None:
    async with app.state.runtime.db.session() as session, unit_of_work(session):
        session.add_all(
            Alert(
                patient_id=patient_id, source="rule", severity="high", status="open",
                title=f"Alert {i}", why="Heart rate high", opened_at=start + timedelta(hours=i),
                updated_at=start + timedelta(hours=i),
            )
            for i in range(count)
        )  # fmt: skip


async def test_next_and_previous_links_stay_valid_while_data_arrives(app, client, person):
    patient, _, clinician = await people(client, person)
    pid, h = patient.patient_id, clinician.headers
    await store(app, pid, HR, [60 + i for i in range(10)], start=T0)
    await flags(app, pid, 10, T0)

    for kind in ("Observation", "Flag"):
        first = searchset(await client.get(f"/fhir/{kind}?patient={pid}&_count=4", headers=h))
        assert "previous" not in links(first)
        second = searchset(await client.get(path_of(links(first)["next"]), headers=h))
        # Newer data arrives (it sorts first, newest first): the links already given still work.
        if kind == "Observation":
            await store(app, pid, HR, [90, 91, 92], start=T0 + timedelta(days=1))
        else:
            await flags(app, pid, 3, T0 + timedelta(days=1))
        again = searchset(await client.get(path_of(links(first)["next"]), headers=h))
        assert [r["id"] for r in matches(again)] == [r["id"] for r in matches(second)], kind
        # Observation counts the total on the first page only (a year of readings); Flag always.
        assert again.get("total") == (None if kind == "Observation" else 13)
        back = searchset(await client.get(path_of(links(second)["previous"]), headers=h))
        assert [r["id"] for r in matches(back)] == [r["id"] for r in matches(first)], kind
        # Walking forward reaches the end once; walking back from there reaches the start.
        seen, url, last = [], links(first)["next"], first
        while url:
            last = searchset(await client.get(path_of(url), headers=h))
            seen += [r["id"] for r in matches(last)]
            url = links(last).get("next")
        assert len(seen) == 6, kind
        newest = searchset(await client.get(f"/fhir/{kind}?patient={pid}&_count=3", headers=h))
        assert "previous" not in links(newest)
        url, pages = links(last).get("previous"), 0
        while url:
            body = searchset(await client.get(path_of(url), headers=h))
            pages += 1
            url = links(body).get("previous")
        assert pages >= 3 and "next" in links(body)


async def test_handling_summary_elements_and_post_search(app, client, person):
    patient, _, clinician = await people(client, person)
    pid, h = patient.patient_id, clinician.headers
    await store(app, pid, HR, [60, 61, 62], start=T0)
    await flags(app, pid, 2, T0)

    for kind in ("Observation", "Flag"):
        # Strict (default): an unknown parameter is a 400 naming it, never its value.
        strict = await client.get(f"/fhir/{kind}?patient={pid}&colour=secretvalue", headers=h)
        outcome = searchset(strict, 400)
        assert outcome["issue"][0]["code"] == "invalid"
        assert "secretvalue" not in strict.text
        explicit = {**h, "Prefer": "handling=strict"}
        assert (await client.get(strict.request.url, headers=explicit)).status_code == 400
        # Lenient: ignored, left out of the self link, reported in an outcome entry.
        lenient = searchset(
            await client.get(
                f"/fhir/{kind}?patient={pid}&colour=secretvalue",
                headers={**h, "Prefer": "handling=lenient"},
            )
        )
        assert lenient["total"] == len(matches(lenient)) > 0
        assert "colour" not in links(lenient)["self"]
        (note,) = [e for e in lenient["entry"] if e["search"]["mode"] == "outcome"]
        assert "colour" in note["resource"]["issue"][0]["diagnostics"]
        assert "secretvalue" not in str(lenient)

        # _summary=count: the total, no entries.
        counted = searchset(
            await client.get(f"/fhir/{kind}?patient={pid}&_summary=count", headers=h)
        )
        assert counted["total"] == len(matches(lenient)) and not counted.get("entry")

        # _elements: the listed top-level elements, id/meta/resourceType, tagged SUBSETTED.
        # (a subset may leave out required elements: that is what SUBSETTED says, so the
        # R4B models, which check cardinality, are not asked)
        subset = fhir(
            await client.get(f"/fhir/{kind}?patient={pid}&_elements=status,subject", headers=h)
        )
        assert matches(subset)
        for resource in matches(subset):
            assert set(resource) == {"resourceType", "id", "meta", "status", "subject"}
            assert {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
                    "code": "SUBSETTED"} in resource["meta"]["tag"]  # fmt: skip

        # POST _search with a form: the same answer as GET.
        query = [("patient", str(pid)), ("date", "ge2026-11-20"), ("_count", "1")]
        got = searchset(await client.get(f"/fhir/{kind}?{urlencode(query)}", headers=h))
        posted = searchset(
            await client.post(
                f"/fhir/{kind}/_search", content=urlencode(query),
                headers={**h, "Content-Type": "application/x-www-form-urlencoded"},
            )
        )  # fmt: skip
        assert posted["total"] == got["total"] == len(matches(lenient))
        assert matches(posted) == matches(got)
        assert links(posted)["self"] == links(got)["self"]
        assert links(posted)["next"] == links(got)["next"]
        as_json = await client.post(f"/fhir/{kind}/_search", json={"patient": str(pid)}, headers=h)
        assert searchset(as_json, 400)["issue"][0]["code"] == "invalid"

        # Malformed values are 400 in both handlings, and never echoed.
        for bad in ("date=yesterday", "date=sa2026", "_sort=colour", "_summary=all",
                    "_elements=a.b", "_include=Patient:link", "_cursor=../x"):  # fmt: skip
            for prefer in ("handling=strict", "handling=lenient"):
                response = await client.get(
                    f"/fhir/{kind}?patient={pid}&{bad}", headers={**h, "Prefer": prefer}
                )
                assert searchset(response, 400)["issue"][0]["code"] == "invalid", (kind, bad)
                assert "yesterday" not in response.text

"""GET /digests: count and SHA-256 over the canonical JSON of one unit's records of one day."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import TypeAdapter

from contracts import Label, LedgerRecord, Manifest
from contracts.canonical import canonical_json, digest_of
from tests.mocks.conftest import FUJIAN, RECEIVER, SHIPPER, assert_problem, draft_manifest, label_request, ledger_record
from tests.mocks.national_client import Caller

CHINA = timezone(timedelta(hours=8))
LEDGER = TypeAdapter(LedgerRecord)


def digest(caller: Caller, resource: str, unit: str, day: str) -> dict[str, Any]:
    resp = caller.get("/api/v1/digests", resource=resource, unit=unit, date=day)
    assert resp.status_code == 200, resp.text
    doc = dict(resp.json())
    assert (doc["resource"], doc["unit"], doc["date"]) == (resource, unit, day)
    return doc


def listing(caller: Caller, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = caller.get(path, **({"cursor": cursor} if cursor else {})).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def record_of(item: dict[str, Any]) -> dict[str, Any]:
    """A listed item as the contract record: without ``updated_at``, the national write time listings add."""
    return {k: v for k, v in item.items() if k != "updated_at"}


def local_day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).astimezone(CHINA).date()


def ledger_expected(caller: Caller, unit: str, day: str) -> tuple[int, str]:
    """Independently: the listing's records of ``unit`` on ``day`` (China time), canonicalised by the contract."""
    texts = [
        canonical_json(LEDGER.validate_python(record_of(item)))
        for item in listing(caller, "/api/v1/ledger-records")
        if item["unit_uscc"] == unit and local_day(item["occurred_at"]) == date.fromisoformat(day)
    ]
    return digest_of(texts)


def post_ledger(caller: Caller, records: list[dict[str, Any]]) -> None:
    resp = caller.post("/api/v1/ledger-records", {"records": records})
    assert resp.status_code == 200, resp.text
    assert {r["outcome"] for r in resp.json()["results"]} <= {"accepted", "duplicate"}, resp.text


def test_ledger_digest_matches_an_independent_computation(jiangsu: Caller) -> None:
    post_ledger(
        jiangsu,
        [
            ledger_record(1),
            ledger_record(2, occurred_at="2024-03-18T23:30:00+08:00"),
            ledger_record(3, occurred_at="2024-03-17T17:30:00+00:00"),  # 01:30 on the 18th in Beijing
            ledger_record(4, occurred_at="2024-03-18T16:30:00+00:00"),  # 00:30 on the 19th in Beijing
            ledger_record(5, day="2024-03-19"),
            ledger_record(1, unit=RECEIVER),
        ],
    )
    got = digest(jiangsu, "ledger-records", SHIPPER, "2024-03-18")
    assert (got["count"], got["sha256"]) == ledger_expected(jiangsu, SHIPPER, "2024-03-18")
    assert got["count"] == 3
    assert digest(jiangsu, "ledger-records", SHIPPER, "2024-03-19")["count"] == 2
    assert digest(jiangsu, "ledger-records", RECEIVER, "2024-03-18")["count"] == 1


def test_the_canonical_text_is_what_the_listing_returns(shipper: Caller) -> None:
    post_ledger(shipper, [ledger_record(1, quantity_t="0.18")])
    resp = shipper.get("/api/v1/ledger-records")
    item = resp.json()["items"][0]
    text = canonical_json(LEDGER.validate_python(record_of(item)))
    # stored and served as the canonical text itself, the national write time appended
    assert text[:-1].encode() + b',"updated_at":' in resp.content
    assert digest(shipper, "ledger-records", SHIPPER, "2024-03-18") == {
        "resource": "ledger-records",
        "unit": SHIPPER,
        "date": "2024-03-18",
        "count": 1,
        "sha256": digest_of([text])[1],
    }


def test_digest_changes_when_a_record_changes(shipper: Caller) -> None:
    post_ledger(shipper, [ledger_record(1), ledger_record(2)])
    before = digest(shipper, "ledger-records", SHIPPER, "2024-03-18")
    post_ledger(shipper, [ledger_record(2)])  # a duplicate changes nothing
    assert digest(shipper, "ledger-records", SHIPPER, "2024-03-18") == before
    post_ledger(shipper, [ledger_record(2, quantity_t="0.170000")])
    after = digest(shipper, "ledger-records", SHIPPER, "2024-03-18")
    assert after["count"] == before["count"] == 2
    assert after["sha256"] != before["sha256"]
    assert (after["count"], after["sha256"]) == ledger_expected(shipper, SHIPPER, "2024-03-18")


def test_empty_day(shipper: Caller) -> None:
    got = digest(shipper, "ledger-records", SHIPPER, "2024-01-01")
    assert (got["count"], got["sha256"]) == digest_of([])


def test_manifest_and_label_digests(shipper: Caller, receiver: Caller) -> None:
    label = shipper.post("/api/v1/labels", label_request())
    assert label.status_code == 201
    created = shipper.post("/api/v1/manifests", draft_manifest())
    no = created.json()["manifest_no"]
    labels = digest(shipper, "labels", SHIPPER, "2024-03-15")
    stored_label = shipper.get("/api/v1/labels/" + label.json()["label_id"]).json()
    assert (labels["count"], labels["sha256"]) == digest_of([canonical_json(Label.model_validate(stored_label))])
    manifests = digest(shipper, "manifests", SHIPPER, "2024-03-25")
    stored = shipper.get(f"/api/v1/manifests/{no}").json()
    assert (manifests["count"], manifests["sha256"]) == digest_of([canonical_json(Manifest.model_validate(stored))])
    # a lifecycle step changes the manifest, and so the digest
    assert shipper.post(f"/api/v1/manifests/{no}/submit", {}).status_code == 200
    assert digest(shipper, "manifests", SHIPPER, "2024-03-25")["sha256"] != manifests["sha256"]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"unit": SHIPPER, "date": "2024-03-18"},
        {"resource": "ledger-records", "date": "2024-03-18"},
        {"resource": "ledger-records", "unit": SHIPPER},
        {"resource": "nonsense", "unit": SHIPPER, "date": "2024-03-18"},
        {"resource": "ledger-records", "unit": SHIPPER, "date": "2024-02-30"},
        {"resource": "ledger-records", "unit": SHIPPER, "date": "18/03/2024"},
        {"resource": "ledger-records", "unit": SHIPPER, "date": ""},
        {"resource": "labels", "unit": "not-a-credit-code", "date": "2024-03-18"},
    ],
)
def test_bad_parameters_are_400(shipper: Caller, query: dict[str, str]) -> None:
    assert_problem(shipper.get("/api/v1/digests", **query), 400, "request.query")


def test_digest_of_another_scope_is_403(shipper: Caller, jiangsu: Caller) -> None:
    assert_problem(
        shipper.get("/api/v1/digests", resource="ledger-records", unit=RECEIVER, date="2024-03-18"), 403, "authz.scope"
    )
    assert_problem(
        jiangsu.get("/api/v1/digests", resource="ledger-records", unit=FUJIAN, date="2024-03-18"), 403, "authz.scope"
    )

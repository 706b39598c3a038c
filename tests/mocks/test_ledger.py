"""Ledger batches: per-record outcomes, corrections, listing filters and cursors, scope and request limits."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from contracts.signing import sign_headers
from mocks.national import MockConfig
from tests.mocks.conftest import (
    FUJIAN,
    RECEIVER,
    SHIPPER,
    Control,
    assert_findings,
    assert_problem,
    ledger_record,
    sample,
)
from tests.mocks.national_client import Caller

LEDGER = "/api/v1/ledger-records"


def submit(caller: Caller, records: list[dict[str, Any]], **kw: Any) -> list[dict[str, Any]]:
    resp = caller.post(LEDGER, {"records": records}, **kw)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["results"])


def walk(caller: Caller, **query: str) -> tuple[list[dict[str, Any]], int]:
    """Every item of a listing, page by page; returns the items and the number of pages."""
    items: list[dict[str, Any]] = []
    pages = 0
    cursor: str | None = None
    while True:
        q = dict(query, **({"cursor": cursor} if cursor else {}))
        resp = caller.get(LEDGER, **q)
        assert resp.status_code == 200, resp.text
        page = resp.json()
        pages += 1
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items, pages
        assert pages < 100


def batches(items: list[dict[str, Any]]) -> list[str]:
    return [i["batch_code"] for i in items]


def test_outcomes_per_record(shipper: Caller, mock: Control) -> None:
    bad = ledger_record(3, waste_category="HW49")  # 900-249-08 is HW08
    results = submit(shipper, [ledger_record(1), ledger_record(1), bad, ledger_record(2), {"kind": "generate"}])
    assert [r["outcome"] for r in results] == ["accepted", "duplicate", "rejected", "accepted", "rejected"]
    assert [r["index"] for r in results] == list(range(5))
    assert results[0]["key"] == f"{SHIPPER}/generate/HWCS20240318001"
    assert results[2]["key"] == f"{SHIPPER}/generate/HWCS20240318003"
    assert {(f["code"], f["path"]) for f in results[2]["findings"]} >= {
        ("waste_code.category_mismatch", "$.waste_category")
    }
    for r in results[2:3] + results[4:]:
        assert r["findings"] and all(f["path"].startswith("$") for f in r["findings"])
    for r in results[:2] + results[3:4]:
        assert r["findings"] == []
    assert mock.state()["ledger-records"] == 2
    assert batches(walk(shipper)[0]) == ["HWCS20240318001", "HWCS20240318002"]
    touched = sorted((r["key"][-3:], r["action"]) for r in mock.journal()[0]["records"])
    assert touched == [("001", "created"), ("001", "duplicate"), ("002", "created"), ("003", "rejected")]


def test_duplicate_across_batches(shipper: Caller, mock: Control) -> None:
    submit(shipper, [ledger_record(1), ledger_record(2)])
    assert [r["outcome"] for r in submit(shipper, [ledger_record(2), ledger_record(3)])] == ["duplicate", "accepted"]
    assert mock.state()["ledger-records"] == 3


def test_duplicate_regardless_of_formatting(shipper: Caller) -> None:
    submit(shipper, [ledger_record(1)])
    same = {k: v for k, v in reversed(ledger_record(1, quantity_t="0.18").items())}
    assert submit(shipper, [same])[0]["outcome"] == "duplicate"


def test_record_that_is_not_an_object_is_refused_with_its_path(shipper: Caller, mock: Control) -> None:
    resp = shipper.post(LEDGER, {"records": [ledger_record(1), 42]})
    assert_findings(resp, ("schema.invalid", "$.records[1]"))
    assert mock.state()["ledger-records"] == 0


def test_correction_is_accepted_and_listed_once(shipper: Caller, mock: Control) -> None:
    submit(shipper, [ledger_record(1), ledger_record(2)])
    corrected = ledger_record(1, quantity_t="0.200000", handler="王芳")
    assert submit(shipper, [corrected]) == [
        {"index": 0, "outcome": "accepted", "key": f"{SHIPPER}/generate/HWCS20240318001", "findings": []}
    ]
    items, _ = walk(shipper)
    assert sorted(batches(items)) == ["HWCS20240318001", "HWCS20240318002"]
    first = next(i for i in items if i["batch_code"] == "HWCS20240318001")
    assert (first["quantity_t"], first["handler"]) == ("0.200000", "王芳")
    assert mock.state()["ledger-records"] == 2
    posts = [e for e in mock.journal() if e["method"] == "POST"]
    assert posts[1]["records"] == [
        {"resource": "ledger-records", "key": f"{SHIPPER}/generate/HWCS20240318001", "action": "updated"}
    ]
    # the correction sent again is a duplicate of the new content
    assert submit(shipper, [corrected])[0]["outcome"] == "duplicate"


def test_record_of_another_province_sinks_the_whole_batch(jiangsu: Caller, shipper: Caller, mock: Control) -> None:
    records = [ledger_record(1), ledger_record(2, unit=FUJIAN), ledger_record(3)]
    doc = assert_problem(jiangsu.post(LEDGER, {"records": records}), 403, "authz.scope")
    assert FUJIAN in doc.get("detail", "")
    assert mock.state()["ledger-records"] == 0
    # a unit key may not write another unit of its own province either
    assert_problem(shipper.post(LEDGER, {"records": [ledger_record(1, unit=RECEIVER)]}), 403, "authz.scope")
    assert mock.state()["ledger-records"] == 0


def test_filters(jiangsu: Caller, shipper: Caller, receiver: Caller, mock: Control) -> None:
    store_in = sample("ledger.ndjson")[2]
    results = submit(jiangsu, [ledger_record(1), ledger_record(2), store_in, ledger_record(1, unit=RECEIVER)])
    assert [r["outcome"] for r in results] == ["accepted"] * 4, results
    assert len(walk(jiangsu)[0]) == 4
    assert batches(walk(jiangsu, unit=SHIPPER)[0]) == ["HWCS20240318001", "HWCS20240318002", "HWRK20240318001"]
    assert [i["unit_uscc"] for i in walk(jiangsu, unit=RECEIVER)[0]] == [RECEIVER]
    assert batches(walk(jiangsu, kind="store_in")[0]) == ["HWRK20240318001"]
    assert batches(walk(jiangsu, unit=SHIPPER, kind="generate")[0]) == ["HWCS20240318001", "HWCS20240318002"]
    assert walk(jiangsu, kind="outsource")[0] == []
    # a unit key sees its own records only, and may not ask for another unit's
    assert len(walk(shipper)[0]) == 3
    assert [i["unit_uscc"] for i in walk(receiver)[0]] == [RECEIVER]
    assert_problem(shipper.get(LEDGER, unit=RECEIVER), 403, "authz.scope")
    # updated_since: what changed at or after a moment of the mock's clock
    mock.clock(advance_s=3600)
    since = mock.clock()["now"]
    mock.clock(advance_s=1)
    submit(jiangsu, [ledger_record(2, quantity_t="0.190000"), ledger_record(9)])
    assert sorted(batches(walk(jiangsu, updated_since=since)[0])) == ["HWCS20240318002", "HWCS20240318009"]
    # the same moment written in UTC selects the same records
    utc = datetime.fromisoformat(since).astimezone(UTC).isoformat()
    assert sorted(batches(walk(jiangsu, updated_since=utc)[0])) == ["HWCS20240318002", "HWCS20240318009"]
    assert len(walk(jiangsu, updated_since="2000-01-01T00:00:00+08:00")[0]) == 5


@pytest.mark.parametrize(("count", "limit", "pages"), [(7, 3, 3), (6, 3, 3), (5, 500, 1), (1, 1, 2)])
def test_cursor_walks_every_record_once(shipper: Caller, count: int, limit: int, pages: int) -> None:
    submit(shipper, [ledger_record(n) for n in range(1, count + 1)])
    items, walked = walk(shipper, limit=str(limit))
    assert batches(items) == [f"HWCS20240318{n:03d}" for n in range(1, count + 1)]
    assert walked == pages


def test_cursor_sees_records_added_during_the_walk(shipper: Caller) -> None:
    submit(shipper, [ledger_record(n) for n in range(1, 5)])
    page = shipper.get(LEDGER, limit="2").json()
    submit(shipper, [ledger_record(5)])
    rest, _ = walk(shipper, limit="2", cursor=page["next_cursor"])
    assert batches(page["items"] + rest) == [f"HWCS20240318{n:03d}" for n in range(1, 6)]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"limit": "0"}, "request.limit"),
        ({"limit": "501"}, "request.limit"),
        ({"limit": "ten"}, "request.limit"),
        ({"cursor": "not-a-cursor"}, "request.cursor"),
        ({"cursor": "czEy!"}, "request.cursor"),
        ({"updated_since": "yesterday"}, "request.query"),
        ({"updated_since": "2024-03-18T09:00:00"}, "request.query"),
        ({"updated_since": "0001-01-01T00:00:00+08:00"}, "request.query"),
        ({"updated_since": "9999-12-31T23:59:59-08:00"}, "request.query"),
    ],
)
def test_bad_listing_parameters_are_400(shipper: Caller, query: dict[str, str], code: str) -> None:
    assert_problem(shipper.get(LEDGER, **query), 400, code)


def test_batch_limit(shipper: Caller, mock: Control) -> None:
    too_many = [ledger_record(n) for n in range(1, 502)]
    assert_problem(shipper.post(LEDGER, {"records": too_many}), 413, "request.batch_too_large")
    assert mock.state()["ledger-records"] == 0
    results = submit(shipper, too_many[:500])
    assert len(results) == 500 and {r["outcome"] for r in results} == {"accepted"}


@pytest.mark.parametrize(
    "body", [{"records": []}, {"records": "x"}, {}, [], {"records": [ledger_record(1)], "more": 1}]
)
def test_malformed_batches_are_422(shipper: Caller, body: Any, mock: Control) -> None:
    assert_problem(shipper.post(LEDGER, body), 422, "contract.invalid")
    assert mock.state()["ledger-records"] == 0


@pytest.mark.parametrize("config", [MockConfig(control=True, max_body_bytes=2048)])
def test_body_above_the_size_limit_is_413(shipper: Caller, client: httpx.Client, mock: Control) -> None:
    assert len(json.dumps({"records": [ledger_record(1)]}, ensure_ascii=False).encode()) < 2048
    assert submit(shipper, [ledger_record(1)])[0]["outcome"] == "accepted"
    big = {"records": [ledger_record(n) for n in range(2, 8)]}
    assert_problem(shipper.post(LEDGER, big), 413, "request.too_large")
    # the same without a Content-Length: the limit holds for a streamed (chunked) body too
    raw = json.dumps(big, ensure_ascii=False).encode()
    headers = sign_headers(app_key="shipper", secret="secret-shipper", method="POST", path=LEDGER, body=raw)
    headers |= {"Idempotency-Key": "chunked-1", "content-type": "application/json"}

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(raw), 512):
            yield raw[i : i + 512]

    resp = client.post(LEDGER, content=chunks(), headers=headers)
    assert_problem(resp, 413, "request.too_large")
    assert mock.state()["ledger-records"] == 1
    assert [e["status"] for e in mock.journal()] == [200, 413, 413]


@pytest.mark.parametrize("config", [MockConfig(control=True, rate_per_second=2, burst=2)])
def test_rate_limit_per_key(shipper: Caller, receiver: Caller, mock: Control) -> None:
    path = f"/api/v1/units/{SHIPPER}"
    assert [shipper.get(path).status_code for _ in range(2)] == [200, 200]
    limited = shipper.get(path)
    assert_problem(limited, 429, "rate_limited")
    retry_after = limited.headers["retry-after"]
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 2
    # a POST is limited the same way, and nothing is stored
    assert_problem(shipper.post(LEDGER, {"records": [ledger_record(1)]}, idem="limited-1"), 429, "rate_limited")
    assert mock.state()["ledger-records"] == 0
    # another key is still served
    assert receiver.get(path).status_code == 200
    time.sleep(0.6)
    # the refused POST reserved nothing: the same key goes through afterwards
    resp = shipper.post(LEDGER, {"records": [ledger_record(1)]}, idem="limited-1")
    assert resp.status_code == 200 and "idempotent-replayed" not in resp.headers
    assert mock.state()["ledger-records"] == 1

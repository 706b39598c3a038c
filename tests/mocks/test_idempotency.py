"""Idempotency-Key: replay byte for byte, refuse reuse with another body, refuse a concurrent retry, expire."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from tests.mocks.conftest import (
    SHIPPER,
    Control,
    assert_problem,
    draft_manifest,
    ledger_record,
)
from tests.mocks.national_client import Caller


def created_keys(mock: Control, resource: str = "manifests") -> list[str]:
    return [
        r["key"] for e in mock.journal() for r in e["records"] if r["resource"] == resource and r["action"] == "created"
    ]


def test_same_key_same_body_replays_byte_for_byte(shipper: Caller, mock: Control) -> None:
    body = draft_manifest()
    first = shipper.post("/api/v1/manifests", body, idem="create-1")
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = shipper.post("/api/v1/manifests", body, idem="create-1")
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["content-type"] == first.headers["content-type"]
    # created once: in the journal, the counts and the listing
    assert created_keys(mock) == [first.json()["manifest_no"]]
    assert mock.state()["manifests"] == 1
    assert len(shipper.get("/api/v1/manifests").json()["items"]) == 1
    replay = [e for e in mock.journal() if e["replayed"]]
    assert len(replay) == 1 and replay[0]["idem_key"] == "create-1" and replay[0]["records"] == []


def test_replay_of_a_stored_422(shipper: Caller, mock: Control) -> None:
    body = draft_manifest()
    body["items"][0]["waste_category"] = "HW08"  # 900-041-49 is HW49
    first = shipper.post("/api/v1/manifests", body, idem="bad-1")
    doc = assert_problem(first, 422, "contract.invalid")
    assert any(f["code"] == "waste_code.category_mismatch" for f in doc["findings"])
    again = shipper.post("/api/v1/manifests", body, idem="bad-1")
    assert again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.content == first.content
    assert mock.state()["manifests"] == 0


def test_replay_of_a_stored_403(zhejiang: Caller) -> None:
    first = zhejiang.post("/api/v1/manifests", draft_manifest(), idem="scope-1")
    assert_problem(first, 403, "authz.scope")
    again = zhejiang.post("/api/v1/manifests", draft_manifest(), idem="scope-1")
    assert (again.status_code, again.content) == (403, first.content)
    assert again.headers["idempotent-replayed"] == "true"


def test_same_key_other_body_is_422_reused(shipper: Caller, mock: Control) -> None:
    body = draft_manifest()
    assert shipper.post("/api/v1/manifests", body, idem="k-1").status_code == 201
    other = draft_manifest()
    other["local_ref"] = "JS-OTHER-1"
    assert_problem(shipper.post("/api/v1/manifests", other, idem="k-1"), 422, "idempotency.reused")
    # the same bytes on another route are another request too
    assert_problem(shipper.post("/api/v1/labels", body, idem="k-1"), 422, "idempotency.reused")
    assert mock.state()["manifests"] == 1
    # the original is still replayed afterwards
    assert shipper.post("/api/v1/manifests", body, idem="k-1").headers["idempotent-replayed"] == "true"


def test_reuse_after_a_stored_error_is_still_422(shipper: Caller) -> None:
    bad = draft_manifest()
    del bad["items"]
    assert shipper.post("/api/v1/manifests", bad, idem="fix-me").status_code == 422
    # fixing the body does not free the key
    resp = shipper.post("/api/v1/manifests", draft_manifest(), idem="fix-me")
    assert_problem(resp, 422, "idempotency.reused")


def test_keys_are_per_app_key(shipper: Caller, jiangsu: Caller, mock: Control) -> None:
    a = shipper.post("/api/v1/manifests", draft_manifest(), idem="shared-key")
    other = draft_manifest()
    other["local_ref"] = "JS-JIANGSU-1"
    b = jiangsu.post("/api/v1/manifests", other, idem="shared-key")
    assert (a.status_code, b.status_code) == (201, 201), b.text
    assert "idempotent-replayed" not in b.headers
    assert a.json()["manifest_no"] != b.json()["manifest_no"]
    # the same body under the same key from another caller is not a replay of the first caller's answer
    c = jiangsu.post("/api/v1/ledger-records", {"records": [ledger_record(1)]}, idem="shared-key-2")
    d = shipper.post("/api/v1/ledger-records", {"records": [ledger_record(1)]}, idem="shared-key-2")
    assert "idempotent-replayed" not in d.headers
    assert c.json()["results"][0]["outcome"] == "accepted"
    assert d.json()["results"][0]["outcome"] == "duplicate"
    assert mock.state()["manifests"] == 2


def test_retry_while_in_flight_is_409(make_client: Callable[[], httpx.Client], shipper: Caller, mock: Control) -> None:
    mock.fault(kind="latency", latency_ms=800, path="/api/v1/manifests", method="POST")
    body = draft_manifest()
    answers: dict[str, httpx.Response] = {}

    def send(name: str) -> None:
        answers[name] = Caller(make_client(), "shipper", "secret-shipper").post(
            "/api/v1/manifests", body, idem="slow-1"
        )

    first = threading.Thread(target=send, args=("first",))
    first.start()
    time.sleep(0.25)
    second = threading.Thread(target=send, args=("second",))
    second.start()
    second.join(5)
    first.join(5)
    assert answers["first"].status_code == 201, answers["first"].text
    doc = assert_problem(answers["second"], 409, "idempotency.in_flight")
    assert doc["status"] == 409
    assert answers["second"].headers.get("retry-after")
    mock.clear_faults()
    # once the first is done, the retry replays it
    retry = shipper.post("/api/v1/manifests", body, idem="slow-1")
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.content == answers["first"].content
    assert mock.state()["manifests"] == 1


def test_in_flight_with_another_body_is_422(
    make_client: Callable[[], httpx.Client], shipper: Caller, mock: Control
) -> None:
    mock.fault(kind="latency", latency_ms=600, path="/api/v1/manifests", method="POST")
    answers: dict[str, httpx.Response] = {}

    def send() -> None:
        answers["first"] = Caller(make_client(), "shipper", "secret-shipper").post(
            "/api/v1/manifests", draft_manifest(), idem="slow-2"
        )

    t = threading.Thread(target=send)
    t.start()
    try:
        time.sleep(0.2)
        other = draft_manifest()
        other["local_ref"] = "JS-OTHER-2"
        assert_problem(shipper.post("/api/v1/manifests", other, idem="slow-2"), 422, "idempotency.reused")
    finally:
        t.join(5)
    assert answers["first"].status_code == 201


def test_key_forgotten_after_24_hours(shipper: Caller, mock: Control) -> None:
    body = draft_manifest()
    first = shipper.post("/api/v1/manifests", body, idem="day-old")
    assert first.status_code == 201
    mock.clock(advance_s=23 * 3600)
    assert shipper.post("/api/v1/manifests", body, idem="day-old").headers["idempotent-replayed"] == "true"
    mock.clock(advance_s=90000 - 23 * 3600)
    again = shipper.post("/api/v1/manifests", body, idem="day-old")
    assert again.status_code == 201, again.text
    assert "idempotent-replayed" not in again.headers
    assert again.json()["manifest_no"] != first.json()["manifest_no"]
    assert mock.state()["manifests"] == 2
    # and a forgotten key may carry another body
    other = draft_manifest()
    other["local_ref"] = "JS-AFTER-EXPIRY"
    mock.clock(advance_s=90000)
    assert shipper.post("/api/v1/manifests", other, idem="day-old").status_code == 201


def test_gets_need_no_key_and_are_not_recorded(shipper: Caller, mock: Control) -> None:
    assert shipper.get(f"/api/v1/units/{SHIPPER}").status_code == 200
    entry = mock.journal()[-1]
    assert entry["method"] == "GET" and entry["idem_key"] is None and not entry["replayed"]

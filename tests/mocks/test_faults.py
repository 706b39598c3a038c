"""Faults on demand (/_mock/faults): bursts, 429s, commit-then-fail, truncation, business errors, latency."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest

from mocks.national import MockConfig
from tests.mocks.conftest import SHIPPER, Control, assert_problem, draft_manifest, ledger_record
from tests.mocks.national_client import Caller

UNIT = f"/api/v1/units/{SHIPPER}"
MANIFESTS = "/api/v1/manifests"


def test_error_burst_then_success(shipper: Caller, mock: Control) -> None:
    faults = mock.fault(kind="error", status=503, count=2, path="/api/v1/units/*")
    assert faults[0]["left"] == 2
    first, second, third = (shipper.get(UNIT) for _ in range(3))
    for resp in (first, second):
        assert_problem(resp, 503, "fault.unavailable")
        assert resp.headers["retry-after"] == "1"
    assert third.status_code == 200
    assert mock.faults() == []  # spent
    assert [e["fault"] for e in mock.journal()] == ["error", "error", None]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_error_burst_statuses(shipper: Caller, mock: Control, status: int) -> None:
    mock.fault(kind="error", status=status, count=1)
    assert_problem(shipper.get(UNIT), status, "fault.unavailable")
    assert shipper.get(UNIT).status_code == 200


def test_error_burst_on_a_post_stores_nothing_and_the_retry_goes_through(shipper: Caller, mock: Control) -> None:
    mock.fault(kind="error", status=502, count=2, path=MANIFESTS, method="POST")
    body = draft_manifest()
    for _ in range(2):
        assert_problem(shipper.post(MANIFESTS, body, idem="burst-1"), 502, "fault.unavailable")
    assert mock.state()["manifests"] == 0
    done = shipper.post(MANIFESTS, body, idem="burst-1")
    assert done.status_code == 201 and "idempotent-replayed" not in done.headers
    assert mock.state()["manifests"] == 1


def test_429_with_retry_after_in_seconds(shipper: Caller, mock: Control) -> None:
    mock.fault(kind="rate_limit", retry_after_s=7, count=1)
    resp = shipper.get(UNIT)
    assert_problem(resp, 429, "fault.rate_limited")
    assert resp.headers["retry-after"] == "7"
    assert shipper.get(UNIT).status_code == 200


def test_429_with_retry_after_as_http_date(shipper: Caller, mock: Control) -> None:
    mock.fault(kind="rate_limit", retry_after_s=30, retry_after_http_date=True, count=1)
    # Compared with our own clock around the request: the server's Date header is cached and may lag.
    before = datetime.now(UTC).replace(microsecond=0)
    resp = shipper.get(UNIT)
    after = datetime.now(UTC)
    assert_problem(resp, 429, "fault.rate_limited")
    value = resp.headers["retry-after"]
    when = parsedate_to_datetime(value)
    assert before + timedelta(seconds=30) <= when <= after + timedelta(seconds=32), (value, before, after)
    # RFC 9110 §5.6.7: an HTTP-date is IMF-fixdate, always in GMT ("Sun, 06 Nov 1994 08:49:37 GMT")
    assert value.endswith(" GMT"), value
    assert when.utcoffset() == timedelta(0)


def test_http_date_retry_after_is_in_real_time_when_the_mock_clock_moved(shipper: Caller, mock: Control) -> None:
    mock.clock(advance_s=90000)  # the business clock is a day ahead; HTTP dates are real time (cf. Date)
    mock.fault(kind="rate_limit", retry_after_s=30, retry_after_http_date=True, count=1)
    resp = shipper.get(UNIT)
    assert resp.status_code == 429
    when = parsedate_to_datetime(resp.headers["retry-after"])
    assert abs((when - datetime.now(UTC)).total_seconds() - 30) <= 3, resp.headers["retry-after"]


def test_early_retry_after_a_429_is_flagged_in_the_journal(shipper: Caller, mock: Control) -> None:
    mock.fault(kind="rate_limit", retry_after_s=5, count=1)
    assert shipper.get(UNIT).status_code == 429
    assert shipper.get(UNIT).status_code == 200  # back before the 5 s were up
    assert [(e["status"], e["early_retry"]) for e in mock.journal()] == [(429, False), (200, True)]


def test_commit_then_fail_error(shipper: Caller, national: Caller, mock: Control) -> None:
    mock.fault(kind="commit_then_fail", mode="error", status=503, count=1, path=MANIFESTS, method="POST")
    body = draft_manifest()
    failed = shipper.post(MANIFESTS, body, idem="ctf-1")
    assert_problem(failed, 503, "fault.unavailable")
    # ...but the manifest IS stored
    assert mock.state()["manifests"] == 1
    stored = national.get(MANIFESTS).json()["items"]
    assert len(stored) == 1
    retry = shipper.post(MANIFESTS, body, idem="ctf-1")
    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == {k: v for k, v in stored[0].items() if k != "updated_at"}  # listed: + write time
    assert mock.state()["manifests"] == 1
    entry = next(e for e in mock.journal() if e["fault"] == "commit_then_fail")
    assert entry["records"][0]["action"] == "created"


def test_commit_then_fail_on_a_ledger_batch(shipper: Caller, mock: Control) -> None:
    mock.fault(kind="commit_then_fail", status=500, count=1, path="/api/v1/ledger-records", method="POST")
    batch = {"records": [ledger_record(1), ledger_record(2)]}
    assert_problem(shipper.post("/api/v1/ledger-records", batch, idem="b-1"), 500, "fault.unavailable")
    assert mock.state()["ledger-records"] == 2
    replay = shipper.post("/api/v1/ledger-records", batch, idem="b-1")
    assert [r["outcome"] for r in replay.json()["results"]] == ["accepted", "accepted"]
    assert replay.headers["idempotent-replayed"] == "true"
    # a new key sends the batch again: both are duplicates now, nothing stored twice
    fresh = shipper.post("/api/v1/ledger-records", batch, idem="b-2")
    assert [r["outcome"] for r in fresh.json()["results"]] == ["duplicate", "duplicate"]
    assert mock.state()["ledger-records"] == 2


def test_commit_then_drop(make_client: Callable[[], httpx.Client], mock: Control) -> None:
    mock.fault(kind="commit_then_fail", mode="drop", count=1, path=MANIFESTS, method="POST")
    body = draft_manifest()
    caller = Caller(make_client(), "shipper", "secret-shipper")
    with pytest.raises(httpx.TransportError):  # RemoteProtocolError: closed without a response
        resp = caller.post(MANIFESTS, body, idem="drop-1")
        pytest.fail(f"the client got an answer: {resp.status_code} {resp.text[:200]}")
    assert mock.state()["manifests"] == 1
    retry = Caller(make_client(), "shipper", "secret-shipper").post(MANIFESTS, body, idem="drop-1")
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
    assert mock.state()["manifests"] == 1


def test_truncated_body(make_client: Callable[[], httpx.Client], mock: Control) -> None:
    mock.fault(kind="truncate", count=1, path=MANIFESTS, method="POST")
    body = draft_manifest()
    caller = Caller(make_client(), "shipper", "secret-shipper")
    with pytest.raises(httpx.RemoteProtocolError, match=r"incomplete|complete message body"):
        caller.post(MANIFESTS, body, idem="trunc-1")
    assert mock.state()["manifests"] == 1
    retry = Caller(make_client(), "shipper", "secret-shipper").post(MANIFESTS, body, idem="trunc-1")
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"


def test_truncated_get(make_client: Callable[[], httpx.Client], mock: Control) -> None:
    mock.fault(kind="truncate", count=1, path="/api/v1/units/*")
    caller = Caller(make_client(), "shipper", "secret-shipper")
    with pytest.raises(httpx.RemoteProtocolError):
        caller.get(UNIT)
    assert Caller(make_client(), "shipper", "secret-shipper").get(UNIT).status_code == 200


def test_business_error_is_200_and_stores_nothing(shipper: Caller, national: Caller, mock: Control) -> None:
    mock.fault(kind="business_error", count=1, path=MANIFESTS, method="POST")
    body = draft_manifest()
    resp = shipper.post(MANIFESTS, body, idem="be-1")
    assert resp.status_code == 200
    doc = resp.json()
    assert doc["success"] is False and doc["code"] and doc["message"]
    # a business error is a refusal: nothing may be stored, and the key must not replay a success
    assert mock.state()["manifests"] == 0
    assert national.get(MANIFESTS).json()["items"] == []
    again = shipper.post(MANIFESTS, body, idem="be-1")
    assert not (again.status_code == 201 and again.headers.get("idempotent-replayed") == "true")


def test_latency(shipper: Caller, mock: Control) -> None:
    mock.fault(kind="latency", latency_ms=300, count=1, path="/api/v1/units/*")
    started = time.monotonic()
    assert shipper.get(UNIT).status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    assert shipper.get(UNIT).status_code == 200
    assert time.monotonic() - started < 0.3
    assert mock.journal()[0]["fault"] == "latency"


def test_faults_are_scoped_by_path_and_method(shipper: Caller, mock: Control) -> None:
    mock.fault(kind="error", status=503, path=MANIFESTS, method="POST")
    assert shipper.get(MANIFESTS).status_code == 200  # other method
    assert shipper.post("/api/v1/labels", {"x": 1}).status_code == 422  # other path
    assert shipper.get(UNIT).status_code == 200
    assert_problem(shipper.post(MANIFESTS, draft_manifest()), 503, "fault.unavailable")
    assert_problem(shipper.post(MANIFESTS, draft_manifest()), 503, "fault.unavailable")  # no count: stays
    assert mock.faults()[0]["hits"] == 2


def test_fault_path_patterns(shipper: Caller, mock: Control) -> None:
    mock.fault(kind="error", status=502, path="/api/v1/manifests/*/submit")
    created = shipper.post(MANIFESTS, draft_manifest())
    assert created.status_code == 201
    no = created.json()["manifest_no"]
    assert_problem(shipper.post(f"{MANIFESTS}/{no}/submit", {}), 502, "fault.unavailable")
    assert shipper.post(f"{MANIFESTS}/{no}/cancel", {"reason": "不再转移"}).status_code == 200


def test_delete_clears_the_faults(shipper: Caller, mock: Control) -> None:
    mock.fault(kind="error", status=503)
    mock.fault(kind="latency", latency_ms=2000)
    assert len(mock.faults()) == 2
    assert_problem(shipper.get(UNIT), 503, "fault.unavailable")
    assert mock.clear_faults() == []
    started = time.monotonic()
    assert shipper.get(UNIT).status_code == 200
    assert time.monotonic() - started < 1


def test_probability_is_seeded_and_repeatable(client: httpx.Client, shipper: Caller, mock: Control) -> None:
    def run() -> list[int]:
        mock.clear_faults()
        mock.fault(kind="error", status=503, probability=0.5, seed=42, path="/api/v1/units/*")
        return [shipper.get(UNIT).status_code for _ in range(12)]

    first, second = run(), run()
    assert first == second
    assert 503 in first and 200 in first


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "explode"},
        {"kind": "error", "status": 200},
        {"kind": "latency", "latency_ms": -1},
        {"kind": "error", "count": 0},
    ],
)
def test_bad_fault_rules_are_422(mock: Control, rule: dict[str, object]) -> None:
    resp = mock.client.post("/_mock/faults", json=rule, headers=mock.headers)
    assert_problem(resp, 422, "contract.invalid")
    assert mock.faults() == []


@pytest.mark.parametrize("config", [MockConfig(control=False)])
def test_control_api_is_404_when_off(client: httpx.Client, shipper: Caller) -> None:
    for method, path in [("GET", "/_mock/journal"), ("POST", "/_mock/faults"), ("GET", "/_mock/state")]:
        assert_problem(client.request(method, path, json={}), 404, "not_found")
    assert shipper.get(UNIT).status_code == 200


@pytest.mark.parametrize("config", [MockConfig(control=True, control_token="admin-token-1")])
def test_control_api_needs_the_token(client: httpx.Client, mock: Control) -> None:
    for method, path in [("GET", "/_mock/journal"), ("POST", "/_mock/faults"), ("POST", "/_mock/reset")]:
        assert_problem(client.request(method, path, json={"kind": "error"}), 403, "control.token")
        bad = client.request(method, path, json={"kind": "error"}, headers={"X-Hz-Admin-Token": "wrong"})
        assert_problem(bad, 403, "control.token")
    assert mock.faults() == []
    assert mock.state()["manifests"] == 0


def test_reset_forgets_everything(shipper: Caller, mock: Control) -> None:
    assert shipper.post(MANIFESTS, draft_manifest()).status_code == 201
    mock.fault(kind="error")
    mock.clock(advance_s=3600)
    assert mock.client.post("/_mock/reset").json() == {"reset": True}
    assert mock.state()["manifests"] == 0 and mock.faults() == [] and mock.journal() == []
    assert shipper.get(UNIT).status_code == 401  # credentials are gone too

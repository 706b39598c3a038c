"""Every error answer is an RFC 9457 problem; bad input never gets a 500 (see also the autouse fixture)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.mocks.conftest import PROBLEM_TYPE, SHIPPER, Control, assert_problem, draft_manifest, manifest_in
from tests.mocks.national_client import Caller

POST_ROUTES = [
    "/api/v1/manifests",
    "/api/v1/labels",
    "/api/v1/ledger-records",
    "/api/v1/operation-records",
    "/api/v1/operation-reports",
]
JUNK: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("null", b"null"),
    ("array", b"[]"),
    ("object", b"{}"),
    ("string", b'"x"'),
    ("number", b"1e999999"),
    ("truncated", b'{"a":'),
    ("nan", b'{"quantity_t": NaN}'),
    ("not-utf8", b'{"a": "\xff\xfe"}'),
    ("nul", b'{"a": "\\u0000"}'),
    ("lone-surrogate", b'{"a": "\\ud800"}'),
    ("deep", b"[" * 100_000 + b"]" * 100_000),
    ("deep-object", b'{"a":' * 5000 + b"1" + b"}" * 5000),
    ("huge-int", b'{"records": [{"container_count": ' + b"9" * 5000 + b"}]}"),
    ("duplicate-keys", b'{"records": [], "records": [1]}'),
]


@pytest.mark.parametrize("route", POST_ROUTES)
def test_junk_bodies_are_problems_not_crashes(shipper: Caller, mock: Control, route: str) -> None:
    for name, raw in JUNK:
        resp = shipper.post(route, raw=raw)
        assert 400 <= resp.status_code < 500, f"{name}: {resp.status_code} {resp.text[:200]}"
        doc = assert_problem(resp, resp.status_code, resp.json().get("code", "?"))
        if resp.status_code == 422:
            assert doc["findings"], name
    assert sum(mock.state().values()) == 0


@pytest.mark.parametrize("action", ["submit", "dispatch", "receive", "reject", "cancel", "tracks"])
def test_junk_action_bodies(shipper: Caller, receiver: Caller, national: Caller, action: str) -> None:
    no = manifest_in("submitted", shipper, receiver)
    before = national.get(f"/api/v1/manifests/{no}").content
    for name, raw in JUNK:
        if name == "empty" and action in ("submit",):
            continue  # an empty body is the submit intent
        resp = national.post(f"/api/v1/manifests/{no}/{action}", raw=raw)
        assert 400 <= resp.status_code < 500, f"{name}: {resp.status_code} {resp.text[:200]}"
        assert resp.headers["content-type"].startswith(PROBLEM_TYPE), name
    assert national.get(f"/api/v1/manifests/{no}").content == before


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/manifests", {"limit": "-1"}),
        ("/api/v1/manifests", {"cursor": "%%%"}),
        ("/api/v1/manifests", {"unit": "x" * 300}),
        ("/api/v1/manifests", {"updated_since": "2024-13-45T99:99:99+08:00"}),
        ("/api/v1/manifests", {"updated_since": "0001-01-01T00:00:00+08:00"}),
        ("/api/v1/operation-records", {"updated_since": "9999-12-31T23:59:59-12:00"}),
        ("/api/v1/operation-records", {"limit": "99999999999999999999999"}),
        ("/api/v1/ledger-records", {"cursor": "czk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"}),
        ("/api/v1/digests", {"resource": "manifests", "unit": SHIPPER, "date": "99999-01-01"}),
        ("/api/v1/manifests/../../etc/passwd", {}),
        ("/api/v1/manifests/" + "9" * 5000, {}),
        ("/api/v1/labels/%00", {}),
        ("/api/v1/manifests/20263205000001/tracks", {"limit": "0"}),
    ],
)
def test_odd_queries_and_paths_are_4xx(shipper: Caller, path: str, query: dict[str, str]) -> None:
    resp = shipper.get(path, **query)
    assert 400 <= resp.status_code < 500, f"{resp.status_code} {resp.text[:200]}"
    assert resp.headers["content-type"].startswith(PROBLEM_TYPE)


def test_unknown_route_and_method(client: httpx.Client, shipper: Caller) -> None:
    assert_problem(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_problem(client.get("/api/v2/manifests"), 404, "not_found")
    assert_problem(shipper.request("DELETE", "/api/v1/manifests"), 405, "method_not_allowed")
    assert_problem(shipper.request("PUT", f"/api/v1/units/{SHIPPER}", {}), 405, "method_not_allowed")


def test_problem_fields_across_the_api(shipper: Caller, zhejiang: Caller, client: httpx.Client) -> None:
    bad = draft_manifest()
    bad["items"][0]["quantity_t"] = "-1"
    bad["created_at"] = "2024-03-25T08:30:00"
    cases: list[tuple[httpx.Response, int, str]] = [
        (client.get(f"/api/v1/units/{SHIPPER}"), 401, "auth.missing"),
        (shipper.post("/api/v1/manifests", draft_manifest(), drop=["Idempotency-Key"]), 400, "idempotency.missing"),
        (shipper.post("/api/v1/manifests", bad), 422, "contract.invalid"),
        (zhejiang.post("/api/v1/manifests", draft_manifest()), 403, "authz.scope"),
        (shipper.get("/api/v1/units/91110000MA00000000"), 404, "not_found"),
        (shipper.get("/api/v1/licenses/NOPE"), 404, "not_found"),
    ]
    for resp, status, code in cases:
        doc = assert_problem(resp, status, code)
        assert doc["title"] != doc["title_zh"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in doc["title_zh"]), doc
    doc = cases[2][0].json()
    by_path = {f["path"]: f for f in doc["findings"]}
    assert "$.items[0].quantity_t" in by_path and "$.created_at" in by_path, by_path
    for f in doc["findings"]:
        assert f["severity"] == "error" and f["message_zh"] and f["message_en"]


def test_422_findings_name_the_json_path(shipper: Caller, receiver: Caller) -> None:
    body = draft_manifest()
    body["items"][1]["waste_category"] = "HW49"
    body["items"][0]["hazards"] = ["T", "R"]
    doc = assert_problem(shipper.post("/api/v1/manifests", body), 422, "contract.invalid")
    paths = {f["path"]: f["code"] for f in doc["findings"]}
    assert paths["$.items[1].waste_category"] == "waste_code.category_mismatch"
    assert paths["$.items[0].hazards[1]"] == "waste_code.hazard_not_in_catalogue"
    body = draft_manifest()
    body["carriers"][0]["vehicle_plate"] = "NOT-A-PLATE"
    body["items"][0]["package_count"] = 0
    doc = assert_problem(shipper.post("/api/v1/manifests", body), 422, "contract.invalid")
    paths = {f["path"]: f["code"] for f in doc["findings"]}
    assert {"$.carriers[0].vehicle_plate", "$.items[0].package_count"} <= set(paths), paths


def test_every_error_of_a_session_is_a_problem(shipper: Caller, receiver: Caller, mock: Control) -> None:
    """Drive a mixed session and check the shape of every error it produced."""
    no = manifest_in("draft", shipper, receiver)
    answers: list[httpx.Response] = [
        shipper.post(f"/api/v1/manifests/{no}/receive", {}),
        receiver.post(f"/api/v1/manifests/{no}/receive", {"received_at": "x", "lines": []}),
        shipper.post(f"/api/v1/manifests/{no}/dispatch", {"dispatched_at": "2024-03-25T10:05:00+08:00"}),
        shipper.post(f"/api/v1/manifests/{no}/tracks", {"points": []}),
        shipper.get("/api/v1/manifests", limit="0"),
        shipper.get("/api/v1/labels/nope"),
        shipper.post("/api/v1/labels", {"label_id": "x"}),
    ]
    errors: list[Any] = [r for r in answers if r.status_code >= 400]
    assert len(errors) == len(answers)
    for resp in errors:
        assert_problem(resp, resp.status_code, resp.json()["code"])
    journalled = [e for e in mock.journal() if e["status"] >= 400]
    assert len(journalled) == len(answers)
    assert [e["code"] for e in journalled] == [r.json()["code"] for r in errors]

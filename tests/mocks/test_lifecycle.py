"""Every manifest lifecycle transition through the API: legal ones, illegal ones, actors and fields."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.rules.lifecycle import TRANSITIONS
from tests.mocks.conftest import (
    ACTION_BODIES,
    ROUTE_TO,
    Control,
    act,
    assert_findings,
    assert_problem,
    draft_manifest,
    manifest_in,
)
from tests.mocks.national_client import Caller

STATES = list(ROUTE_TO)
ACTIONS = list(ACTION_BODIES)
LEGAL = {(s.value, a.value): t.value for (s, a), t in TRANSITIONS.items()}
ILLEGAL = [(s, a) for s in STATES for a in ACTIONS if (s, a) not in LEGAL]


def get(national: Caller, no: str) -> dict[str, Any]:
    resp = national.get(f"/api/v1/manifests/{no}")
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def test_the_matrix_is_complete() -> None:
    assert len(LEGAL) == 6 and len(ILLEGAL) == 24


@pytest.mark.parametrize(("state", "action"), sorted(LEGAL), ids=[f"{s}-{a}" for s, a in sorted(LEGAL)])
def test_legal_transition(
    state: str, action: str, shipper: Caller, receiver: Caller, national: Caller, mock: Control
) -> None:
    no = manifest_in(state, shipper, receiver)
    resp = act(no, action, shipper, receiver)
    assert resp.status_code == 200, resp.text
    after = get(national, no)
    assert after["status"] == LEGAL[(state, action)]
    assert resp.json() == after
    touched = mock.journal()[-2]["records"]
    assert touched == [{"resource": "manifests", "key": no, "action": action}]
    if action == "dispatch":
        assert after["dispatched_at"] == "2024-03-25T10:05:00+08:00"
    if action == "receive":
        assert [i["received_t"] for i in after["items"]] == ["1.250000", "0.720000"]
        assert after["received_at"] == "2024-03-25T14:40:00+08:00"
        assert after["significant_discrepancy"] is False
    if action == "reject":
        assert after["rejection_reason"] == ACTION_BODIES["reject"]["reason"]


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=[f"{s}-{a}" for s, a in ILLEGAL])
def test_illegal_transition_is_409_and_changes_nothing(
    state: str, action: str, shipper: Caller, receiver: Caller, national: Caller, mock: Control
) -> None:
    no = manifest_in(state, shipper, receiver)
    before = national.get(f"/api/v1/manifests/{no}").content
    resp = act(no, action, shipper, receiver)
    assert_problem(resp, 409, "lifecycle.illegal_transition")
    assert national.get(f"/api/v1/manifests/{no}").content == before
    assert mock.journal()[-2]["records"] == []
    # the national key (scope *) is refused just the same
    body = ACTION_BODIES[action]
    assert_problem(national.post(f"/api/v1/manifests/{no}/{action}", body), 409, "lifecycle.illegal_transition")
    assert national.get(f"/api/v1/manifests/{no}").content == before


def test_full_route_received(shipper: Caller, receiver: Caller, national: Caller) -> None:
    no = manifest_in("received", shipper, receiver)
    m = get(national, no)
    assert m["status"] == "received" and m["dispatched_at"] and m["received_at"]


@pytest.mark.parametrize("action", ["approve", "SUBMIT", "tracks-x", "delete"])
def test_unknown_action_is_404(action: str, shipper: Caller, receiver: Caller, national: Caller) -> None:
    no = manifest_in("draft", shipper, receiver)
    before = national.get(f"/api/v1/manifests/{no}").content
    assert_problem(shipper.post(f"/api/v1/manifests/{no}/{action}", {}), 404, "not_found")
    assert national.get(f"/api/v1/manifests/{no}").content == before


def test_action_on_unknown_manifest_is_404(shipper: Caller) -> None:
    assert_problem(shipper.post("/api/v1/manifests/20263205999999/submit", {}), 404, "not_found")
    assert_problem(shipper.get("/api/v1/manifests/20263205999999"), 404, "not_found")


def test_shipper_cannot_receive_or_reject(shipper: Caller, receiver: Caller, national: Caller) -> None:
    no = manifest_in("in_transit", shipper, receiver)
    before = national.get(f"/api/v1/manifests/{no}").content
    for action in ("receive", "reject"):
        resp = shipper.post(f"/api/v1/manifests/{no}/{action}", ACTION_BODIES[action])
        assert_problem(resp, 403, "authz.scope")
    assert national.get(f"/api/v1/manifests/{no}").content == before


def test_receiver_cannot_act_for_the_shipper(shipper: Caller, receiver: Caller, national: Caller) -> None:
    no = manifest_in("draft", shipper, receiver)
    before = national.get(f"/api/v1/manifests/{no}").content
    for action in ("submit", "cancel"):
        assert_problem(receiver.post(f"/api/v1/manifests/{no}/{action}", ACTION_BODIES[action]), 403, "authz.scope")
    no2 = manifest_in("submitted", shipper, receiver)
    assert_problem(receiver.post(f"/api/v1/manifests/{no2}/dispatch", ACTION_BODIES["dispatch"]), 403, "authz.scope")
    assert national.get(f"/api/v1/manifests/{no}").content == before


def test_other_province_cannot_act_or_read(shipper: Caller, receiver: Caller, zhejiang: Caller) -> None:
    no = manifest_in("submitted", shipper, receiver)
    assert_problem(zhejiang.post(f"/api/v1/manifests/{no}/dispatch", ACTION_BODIES["dispatch"]), 403, "authz.scope")
    assert_problem(zhejiang.get(f"/api/v1/manifests/{no}"), 403, "authz.scope")
    assert zhejiang.get("/api/v1/manifests").json()["items"] == []


def test_carrier_province_key_may_dispatch(shipper: Caller, receiver: Caller, jiangsu: Caller) -> None:
    no = manifest_in("submitted", shipper, receiver)
    assert jiangsu.post(f"/api/v1/manifests/{no}/dispatch", ACTION_BODIES["dispatch"]).status_code == 200


def test_receiver_reads_its_manifest(shipper: Caller, receiver: Caller) -> None:
    no = manifest_in("submitted", shipper, receiver)
    assert receiver.get(f"/api/v1/manifests/{no}").status_code == 200
    assert [m["manifest_no"] for m in receiver.get("/api/v1/manifests").json()["items"]] == [no]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("manifest_no", "20263205000001"),
        ("status", "submitted"),
        ("status", "received"),
        ("dispatched_at", "2024-03-25T10:05:00+08:00"),
        ("received_at", "2024-03-25T14:40:00+08:00"),
        ("significant_discrepancy", True),
        ("discrepancy_note", "少了一桶"),
        ("rejection_reason", "拒收"),
    ],
)
def test_shipper_may_not_set_national_or_receiver_fields(
    field: str, value: Any, shipper: Caller, mock: Control
) -> None:
    body = draft_manifest()
    body[field] = value
    doc = assert_problem(shipper.post("/api/v1/manifests", body), 403, "authz.field")
    assert field in doc.get("detail", "")
    assert mock.state()["manifests"] == 0


def test_shipper_may_not_set_received_quantities(shipper: Caller, mock: Control) -> None:
    body = draft_manifest()
    body["items"][1]["received_t"] = "0.720000"
    doc = assert_problem(shipper.post("/api/v1/manifests", body), 403, "authz.field")
    assert "received_t" in doc.get("detail", "")
    assert mock.state()["manifests"] == 0


def test_explicit_draft_status_is_allowed(shipper: Caller) -> None:
    body = draft_manifest()
    body["status"] = "draft"
    resp = shipper.post("/api/v1/manifests", body)
    assert resp.status_code == 201, resp.text
    assert resp.json()["status"] == "draft"


def receipt(first_line: str, **extra: Any) -> dict[str, Any]:
    return {
        "received_at": "2024-03-25T14:40:00+08:00",
        "lines": [{"line_no": 1, "received_t": first_line}, {"line_no": 2, "received_t": "0.72"}],
        **extra,
    }


def test_shortfall_of_8_percent_needs_the_flag(shipper: Caller, receiver: Caller, national: Caller) -> None:
    no = manifest_in("in_transit", shipper, receiver)
    before = national.get(f"/api/v1/manifests/{no}").content
    resp = receiver.post(f"/api/v1/manifests/{no}/receive", receipt("1.15"))
    assert_findings(resp, ("discrepancy.flag_required", "$.items[0].received_t"))
    assert national.get(f"/api/v1/manifests/{no}").content == before
    ok = receiver.post(
        f"/api/v1/manifests/{no}/receive",
        receipt("1.15", significant_discrepancy=True, discrepancy_note="短少 0.1 吨，包装破损泄漏"),
    )
    assert ok.status_code == 200, ok.text
    m = get(national, no)
    assert m["status"] == "received" and m["significant_discrepancy"] is True
    assert m["discrepancy_note"] == "短少 0.1 吨，包装破损泄漏"
    assert m["items"][0]["received_t"] == "1.150000"


def test_shortfall_within_tolerance_needs_no_flag(shipper: Caller, receiver: Caller) -> None:
    no = manifest_in("in_transit", shipper, receiver)
    resp = receiver.post(f"/api/v1/manifests/{no}/receive", receipt("1.19"))  # 4.8 %
    assert resp.status_code == 200, resp.text
    assert resp.json()["significant_discrepancy"] is False


def test_receipt_lines_must_match_the_manifest(shipper: Caller, receiver: Caller, national: Caller) -> None:
    no = manifest_in("in_transit", shipper, receiver)
    before = national.get(f"/api/v1/manifests/{no}").content
    missing = {"received_at": "2024-03-25T14:40:00+08:00", "lines": [{"line_no": 1, "received_t": "1.25"}]}
    assert_findings(receiver.post(f"/api/v1/manifests/{no}/receive", missing), ("manifest.lines_missing", "$.lines"))
    extra = receipt("1.25")
    extra["lines"].append({"line_no": 3, "received_t": "1"})
    assert_findings(receiver.post(f"/api/v1/manifests/{no}/receive", extra), ("manifest.line_unknown", "$.lines"))
    early = receipt("1.25", received_at="2024-03-25T09:00:00+08:00")
    assert_findings(receiver.post(f"/api/v1/manifests/{no}/receive", early), ("lifecycle.time_order", "$.received_at"))
    assert national.get(f"/api/v1/manifests/{no}").content == before


def test_dispatch_before_creation_is_refused(shipper: Caller, receiver: Caller, national: Caller) -> None:
    no = manifest_in("submitted", shipper, receiver)
    resp = shipper.post(f"/api/v1/manifests/{no}/dispatch", {"dispatched_at": "2024-03-25T08:00:00+08:00"})
    assert_findings(resp, ("lifecycle.time_order", "$.dispatched_at"))
    assert get(national, no)["status"] == "submitted"


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("dispatch", {}),
        ("dispatch", {"dispatched_at": "2024-03-25T10:05:00"}),
        ("cancel", {}),
        ("submit", {"status": "submitted"}),
    ],
    ids=["dispatch-no-time", "dispatch-naive-time", "cancel-no-reason", "submit-extra-field"],
)
def test_action_bodies_are_validated(
    action: str, body: dict[str, Any], shipper: Caller, receiver: Caller, national: Caller
) -> None:
    no = manifest_in("submitted", shipper, receiver)
    before = national.get(f"/api/v1/manifests/{no}").content
    assert_problem(shipper.post(f"/api/v1/manifests/{no}/{action}", body), 422, "contract.invalid")
    assert national.get(f"/api/v1/manifests/{no}").content == before


def test_tracks(shipper: Caller, receiver: Caller, national: Caller) -> None:
    no = manifest_in("submitted", shipper, receiver)
    point = {"recorded_at": "2024-03-25T10:30:00+08:00", "lat": 31.3, "lon": 120.7, "speed_kmh": 60}
    assert_problem(shipper.post(f"/api/v1/manifests/{no}/tracks", {"points": [point]}), 409, "track.not_dispatched")
    assert act(no, "dispatch", shipper, receiver).status_code == 200
    second = {**point, "recorded_at": "2024-03-25T11:00:00+08:00"}
    assert shipper.post(f"/api/v1/manifests/{no}/tracks", {"points": [point, second]}).json() == {
        "accepted": 2,
        "total": 2,
    }
    # a repeated batch adds nothing
    assert shipper.post(f"/api/v1/manifests/{no}/tracks", {"points": [point]}).json() == {"accepted": 0, "total": 2}
    early = {**point, "recorded_at": "2024-03-25T09:00:00+08:00"}
    resp = shipper.post(f"/api/v1/manifests/{no}/tracks", {"points": [early]})
    assert_findings(resp, ("track.outside_window", "$.points[0].recorded_at"))
    listed = national.get(f"/api/v1/manifests/{no}/tracks").json()
    assert [p["recorded_at"] for p in listed["items"]] == [point["recorded_at"], second["recorded_at"]]

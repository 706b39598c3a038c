"""PUT /manifests/{no}: a draft's content is replaced; number, status and local_ref stay; 409 once submitted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mocks.conftest import (
    CARRIER,
    Control,
    assert_findings,
    assert_problem,
    draft_manifest,
    manifest_in,
)
from tests.mocks.national_client import Caller


def edited() -> dict[str, Any]:
    body = draft_manifest()
    body["items"][0]["quantity_t"] = "1.500000"
    body["carriers"][0]["vehicle_plate"] = "苏E8H463"
    body["emergency_measures"] = "泄漏时用沙土覆盖吸附，禁止明火。"
    return body


def test_a_draft_is_replaced_and_keeps_its_number_status_and_local_ref(
    shipper: Caller, national: Caller, mock: Control
) -> None:
    created = shipper.post("/api/v1/manifests", draft_manifest())
    assert created.status_code == 201, created.text
    no = created.json()["manifest_no"]
    resp = shipper.put(f"/api/v1/manifests/{no}", edited())
    assert resp.status_code == 200, resp.text
    after = national.get(f"/api/v1/manifests/{no}").json()
    assert resp.json() == after
    assert after["manifest_no"] == no and after["status"] == "draft"
    assert after["local_ref"] == created.json()["local_ref"]
    assert after["items"][0]["quantity_t"] == "1.500000"
    assert after["carriers"][0]["vehicle_plate"] == "苏E8H463"
    assert after["emergency_measures"] == "泄漏时用沙土覆盖吸附，禁止明火。"
    assert mock.journal()[-2]["records"] == [{"resource": "manifests", "key": no, "action": "updated"}]
    assert mock.state()["manifests"] == 1
    # the edited draft still goes through its lifecycle
    assert shipper.post(f"/api/v1/manifests/{no}/submit", {}).status_code == 200


def test_a_body_without_local_ref_keeps_the_stored_one(shipper: Caller) -> None:
    no = manifest_in("draft", shipper, shipper)
    body = edited()
    body.pop("local_ref", None)
    resp = shipper.put(f"/api/v1/manifests/{no}", body)
    assert resp.status_code == 200, resp.text
    assert resp.json()["local_ref"] == draft_manifest()["local_ref"]


@pytest.mark.parametrize("state", ["submitted", "in_transit", "received", "rejected", "cancelled"])
def test_a_manifest_no_longer_a_draft_answers_409(state: str, shipper: Caller, receiver: Caller, mock: Control) -> None:
    no = manifest_in(state, shipper, receiver)
    before = mock.journal()
    resp = shipper.put(f"/api/v1/manifests/{no}", edited())
    assert_problem(resp, 409, "manifest.not_draft")
    assert mock.journal()[-1]["records"] == [] and len(mock.journal()) == len(before) + 1


def test_local_ref_and_shipper_cannot_change(shipper: Caller) -> None:
    no = manifest_in("draft", shipper, shipper)
    body = edited()
    body["local_ref"] = "OTHER-REF"
    assert_findings(shipper.put(f"/api/v1/manifests/{no}", body), ("manifest.field_fixed", "$.local_ref"))
    body = edited()
    body["shipper"]["uscc"] = CARRIER
    resp = shipper.put(f"/api/v1/manifests/{no}", body)
    assert resp.status_code in (403, 422), resp.text  # the shipper's key does not cover the carrier either


def test_national_fields_and_received_quantities_are_refused(shipper: Caller) -> None:
    no = manifest_in("draft", shipper, shipper)
    assert_problem(shipper.put(f"/api/v1/manifests/{no}", {**edited(), "manifest_no": no}), 403, "authz.field")
    body = edited()
    body["items"][0]["received_t"] = "1.0"
    assert_problem(shipper.put(f"/api/v1/manifests/{no}", body), 403, "authz.field")


def test_same_checks_as_create(shipper: Caller) -> None:
    no = manifest_in("draft", shipper, shipper)
    body = edited()
    body["receiver_license_no"] = "NOSUCH0001"
    assert_findings(shipper.put(f"/api/v1/manifests/{no}", body), ("license.unknown", "$.receiver_license_no"))
    body = edited()
    body["items"][0]["quantity_t"] = "-1"
    assert shipper.put(f"/api/v1/manifests/{no}", body).status_code == 422


def test_scope_unknown_number_and_idempotency(shipper: Caller, receiver: Caller, mock: Control) -> None:
    no = manifest_in("draft", shipper, receiver)
    assert_problem(receiver.put(f"/api/v1/manifests/{no}", edited()), 403, "authz.scope")
    assert_problem(shipper.put("/api/v1/manifests/20243205999999", edited()), 404, "not_found")
    assert_problem(
        shipper.put(f"/api/v1/manifests/{no}", edited(), drop=["Idempotency-Key"]), 400, "idempotency.missing"
    )
    first = shipper.put(f"/api/v1/manifests/{no}", edited(), idem="put-1")
    again = shipper.put(f"/api/v1/manifests/{no}", edited(), idem="put-1")
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true" and again.content == first.content
    updates = [r for e in mock.journal() for r in e["records"] if r["action"] == "updated"]
    assert updates == [{"resource": "manifests", "key": no, "action": "updated"}]
    other = edited()
    other["emergency_measures"] = "另一版本"
    assert_problem(shipper.put(f"/api/v1/manifests/{no}", other, idem="put-1"), 422, "idempotency.reused")

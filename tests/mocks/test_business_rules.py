"""Business rules on manifest creation (and submission): licence, cross-province approval, labels."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests.mocks.conftest import (
    ACTION_BODIES,
    APPROVAL,
    RECEIVER,
    SHIPPER,
    ZJ_RECEIVER,
    Control,
    assert_findings,
    assert_problem,
    cross_manifest,
    draft_manifest,
    label_request,
)
from tests.mocks.national_client import Caller


def create(caller: Caller, body: dict[str, Any]) -> str:
    resp = caller.post("/api/v1/manifests", body)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["manifest_no"])


def test_seed_has_the_cross_province_parties(national: Caller) -> None:
    assert national.get(f"/api/v1/units/{ZJ_RECEIVER}").json()["region_code"].startswith("33")
    approval = national.get("/api/v1/transfer-approvals/" + quote(APPROVAL)).json()
    assert approval["receiver_uscc"] == ZJ_RECEIVER and approval["shipper_uscc"] == SHIPPER
    assert approval["items"] == [{"waste_code": "900-249-08", "approved_t": "12.000000"}]


def test_unknown_licence(shipper: Caller, mock: Control) -> None:
    body = draft_manifest()
    body["receiver_license_no"] = "JS0000NOPE01"
    assert_findings(shipper.post("/api/v1/manifests", body), ("license.unknown", "$.receiver_license_no"))
    assert mock.state()["manifests"] == 0


def test_licence_of_another_holder(shipper: Caller) -> None:
    body = draft_manifest()
    body["receiver_license_no"] = "3304000123"  # the 嘉兴 plant's licence for the 南通 receiver
    assert_findings(shipper.post("/api/v1/manifests", body), ("license.mismatch", "$.receiver_license_no"))


def test_category_not_covered_by_the_licence(shipper: Caller, mock: Control) -> None:
    body = draft_manifest()
    body["items"][0].update(
        waste_code="900-402-06", waste_category="HW06", waste_name="废有机溶剂", hazards=["T", "I"], form="L"
    )
    assert_findings(shipper.post("/api/v1/manifests", body), ("license.code_not_covered", "$.items[0].waste_code"))
    assert mock.state()["manifests"] == 0


def test_method_not_covered_by_the_licence(shipper: Caller) -> None:
    body = draft_manifest()
    body["items"][0]["method"] = "R15"
    assert_findings(shipper.post("/api/v1/manifests", body), ("license.method_not_covered", "$.items[0].method"))


def test_cross_province_with_approval(shipper: Caller) -> None:
    assert create(shipper, cross_manifest("5"))[4:8] == "3205"


def test_cross_province_without_approval(shipper: Caller, mock: Control) -> None:
    resp = shipper.post("/api/v1/manifests", cross_manifest("5", approval=None))
    assert_findings(resp, ("approval.missing", "$.approval_no"))
    assert mock.state()["manifests"] == 0


def test_cross_province_with_unknown_approval(shipper: Caller) -> None:
    resp = shipper.post("/api/v1/manifests", cross_manifest("5", approval="苏环危转〔2024〕9999号"))
    assert_findings(resp, ("approval.unknown", "$.approval_no"))


def test_cross_province_code_not_approved(shipper: Caller) -> None:
    body = cross_manifest("1")
    body["items"][0].update(
        waste_code="900-041-49", waste_category="HW49", waste_name="废弃包装桶", hazards=["T"], form="S", method="D10"
    )
    assert_findings(shipper.post("/api/v1/manifests", body), ("approval.code_not_approved", "$.items[0].waste_code"))


def test_cross_province_outside_approval_validity(shipper: Caller) -> None:
    body = cross_manifest("1")
    body["created_at"] = "2025-03-25T08:30:00+08:00"  # the approval ran to 2025-02-28
    assert_findings(shipper.post("/api/v1/manifests", body), ("approval.not_valid", "$.approval_no"))


def test_more_than_approved_in_one_manifest(shipper: Caller) -> None:
    resp = shipper.post("/api/v1/manifests", cross_manifest("12.000001"))
    assert_findings(resp, ("approval.tonnage_exceeded", "$.items[0].quantity_t"))
    assert create(shipper, cross_manifest("12"))


def test_remaining_tonnage_across_manifests(shipper: Caller, national: Caller, mock: Control) -> None:
    def submit(no: str) -> Any:
        return shipper.post(f"/api/v1/manifests/{no}/submit", {})

    m1 = create(shipper, cross_manifest("5"))
    assert submit(m1).status_code == 200  # 5 t committed, 7 t left
    m2 = create(shipper, cross_manifest("6"))  # a draft commits nothing...
    m3 = create(shipper, cross_manifest("6"))  # ...or this one would not fit
    assert submit(m3).status_code == 200  # 11 t committed, 1 t left
    doc = assert_findings(
        shipper.post("/api/v1/manifests", cross_manifest("1.5")), ("approval.tonnage_exceeded", "$.items[0].quantity_t")
    )
    assert doc["findings"][0]["context"]["left"] == "1.000000"
    assert mock.state()["manifests"] == 3
    # submission checks the tonnage again: the 6 t draft no longer fits
    assert_findings(submit(m2), ("approval.tonnage_exceeded", "$.items[0].quantity_t"))
    assert national.get(f"/api/v1/manifests/{m2}").json()["status"] == "draft"
    # exactly what is left fits
    m4 = create(shipper, cross_manifest("1"))
    assert submit(m4).status_code == 200  # 12 t committed
    assert_findings(
        shipper.post("/api/v1/manifests", cross_manifest("0.000001")),
        ("approval.tonnage_exceeded", "$.items[0].quantity_t"),
    )
    # a cancelled manifest gives its tonnage back (5 t of m1), a cancelled draft never took any
    assert shipper.post(f"/api/v1/manifests/{m1}/cancel", ACTION_BODIES["cancel"]).status_code == 200
    assert submit(m2).status_code == 422  # 7 t committed, 5 t left, 6 t asked
    m5 = create(shipper, cross_manifest("5"))
    assert submit(m5).status_code == 200
    assert shipper.post(f"/api/v1/manifests/{m2}/cancel", ACTION_BODIES["cancel"]).status_code == 200
    assert_findings(
        shipper.post("/api/v1/manifests", cross_manifest("0.5")), ("approval.tonnage_exceeded", "$.items[0].quantity_t")
    )


def test_in_transit_and_received_manifests_count(shipper: Caller, national: Caller) -> None:
    m1 = create(shipper, cross_manifest("8"))
    for action in ("submit", "dispatch"):
        assert shipper.post(f"/api/v1/manifests/{m1}/{action}", ACTION_BODIES[action]).status_code == 200
    assert_findings(
        shipper.post("/api/v1/manifests", cross_manifest("4.5")), ("approval.tonnage_exceeded", "$.items[0].quantity_t")
    )
    receipt = {"received_at": "2024-03-25T14:40:00+08:00", "lines": [{"line_no": 1, "received_t": "8"}]}
    assert national.post(f"/api/v1/manifests/{m1}/receive", receipt).status_code == 200
    assert_findings(
        shipper.post("/api/v1/manifests", cross_manifest("4.5")), ("approval.tonnage_exceeded", "$.items[0].quantity_t")
    )
    assert create(shipper, cross_manifest("4"))


# --- container labels on manifest lines -------------------------------------------------------------------


def issue(caller: Caller, **changes: Any) -> str:
    resp = caller.post("/api/v1/labels", label_request(**changes))
    assert resp.status_code == 201, resp.text
    return str(resp.json()["label_id"])


def with_labels(line0: list[str], line1: list[str] | None = None) -> dict[str, Any]:
    body = draft_manifest()
    body["items"][0]["label_ids"] = line0
    body["items"][1]["label_ids"] = line1 or []
    return body


OIL_LABEL = {
    "waste_name": "废矿物油",
    "waste_category": "HW08",
    "waste_code": "900-249-08",
    "hazards": ["T", "I"],
    "form": "L",
    "produced_date": "2024-03-18",
}


def test_issued_labels_are_accepted(shipper: Caller, national: Caller) -> None:
    drum = issue(shipper)
    oil = issue(shipper, **OIL_LABEL)
    no = create(shipper, with_labels([drum], [oil]))
    m = national.get(f"/api/v1/manifests/{no}").json()
    assert m["items"][0]["label_ids"] == [drum] and m["items"][1]["label_ids"] == [oil]


def test_unknown_label(shipper: Caller, mock: Control) -> None:
    never_issued = SHIPPER + "90004149" + "20240315" + "999"
    resp = shipper.post("/api/v1/manifests", with_labels([never_issued]))
    assert_findings(resp, ("label.unknown", "$.items[0].label_ids[0]"))
    assert mock.state()["manifests"] == 0


def test_label_of_another_unit(shipper: Caller, receiver: Caller, mock: Control) -> None:
    theirs = issue(receiver, producer_uscc=RECEIVER, producer_name="南通绿源固废处置中心有限公司")
    resp = shipper.post("/api/v1/manifests", with_labels([theirs]))
    doc = assert_problem(resp, 422, "contract.invalid")
    codes = {f["code"] for f in doc["findings"] if f["path"] == "$.items[0].label_ids[0]"}
    # the id's unit segment already names the other unit; either finding says the label is not the shipper's
    assert codes & {"label.not_shippers", "label_id.mismatch"}, doc["findings"]
    assert mock.state()["manifests"] == 0


def test_label_with_another_waste_code(shipper: Caller, mock: Control) -> None:
    oil = issue(shipper, **OIL_LABEL)
    resp = shipper.post("/api/v1/manifests", with_labels([oil]))  # line 0 is 900-041-49
    doc = assert_problem(resp, 422, "contract.invalid")
    codes = {f["code"] for f in doc["findings"] if f["path"] == "$.items[0].label_ids[0]"}
    assert codes & {"label.code_mismatch", "label_id.mismatch"}, doc["findings"]
    assert mock.state()["manifests"] == 0


def test_label_already_on_an_open_manifest(shipper: Caller, national: Caller, mock: Control) -> None:
    drum = issue(shipper)
    first = create(shipper, with_labels([drum]))
    resp = shipper.post("/api/v1/manifests", with_labels([drum]))
    doc = assert_findings(resp, ("label.in_use", "$.items[0].label_ids[0]"))
    assert first in str(doc["findings"])
    # still open once submitted
    assert shipper.post(f"/api/v1/manifests/{first}/submit", {}).status_code == 200
    assert_findings(shipper.post("/api/v1/manifests", with_labels([drum])), ("label.in_use", "$.items[0].label_ids[0]"))
    # free again once the first manifest is cancelled
    assert shipper.post(f"/api/v1/manifests/{first}/cancel", ACTION_BODIES["cancel"]).status_code == 200
    assert create(shipper, with_labels([drum]))
    assert mock.state()["manifests"] == 2


def test_several_label_findings_at_once(shipper: Caller, receiver: Caller) -> None:
    drum = issue(shipper)
    unknown = SHIPPER + "90004149" + "20240315" + "998"
    resp = shipper.post("/api/v1/manifests", with_labels([drum, unknown], [unknown.replace("90004149", "90024908")]))
    doc = assert_problem(resp, 422, "contract.invalid")
    paths = {f["path"] for f in doc["findings"] if f["code"] == "label.unknown"}
    assert paths == {"$.items[0].label_ids[1]", "$.items[1].label_ids[0]"}


def test_same_label_twice_on_one_manifest(shipper: Caller, mock: Control) -> None:
    drum = issue(shipper)
    resp = shipper.post("/api/v1/manifests", with_labels([drum, drum]))
    assert_findings(resp, ("label.repeated", "$.items[0].label_ids[1]"))
    assert mock.state()["manifests"] == 0


def test_party_region_must_match_the_unit_register(shipper: Caller, mock: Control) -> None:
    body = draft_manifest()
    body["shipper"]["region_code"] = "320612"  # the shipper is registered in 苏州工业园区 (320576)
    assert_findings(shipper.post("/api/v1/manifests", body), ("party.region_mismatch", "$.shipper.region_code"))
    assert mock.state()["manifests"] == 0

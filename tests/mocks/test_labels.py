"""Labels: 37-character 数字识别码 (unit + code + date + sequence), QR payload, fields and scope."""

from __future__ import annotations

from typing import Any

import pytest

from tests.mocks.conftest import RECEIVER, SHIPPER, Control, assert_problem, label_request
from tests.mocks.national_client import Caller

OIL = {
    "waste_name": "废矿物油",
    "waste_category": "HW08",
    "waste_code": "900-249-08",
    "hazards": ["T", "I"],
    "form": "L",
}


def issue(caller: Caller, **changes: Any) -> dict[str, Any]:
    resp = caller.post("/api/v1/labels", label_request(**changes))
    assert resp.status_code == 201, resp.text
    assert resp.headers["location"] == "/api/v1/labels/" + resp.json()["label_id"]
    return dict(resp.json())


def test_label_id_segments(shipper: Caller) -> None:
    label = issue(shipper)
    lid = label["label_id"]
    assert len(lid) == 37
    assert (lid[:18], lid[18:26], lid[26:34], lid[34:]) == (SHIPPER, "90004149", "20240315", "001")
    assert lid in label["qr_payload"]
    assert label["qr_payload"].startswith("https://")
    assert label["issued_at"]
    req = label_request()
    assert {k: label[k] for k in req} == req | {
        "weight_t": "0.625000",
        "container_volume_l": label["container_volume_l"],
    }


def test_sequence_per_unit_code_and_day(shipper: Caller, receiver: Caller) -> None:
    ids = [
        issue(shipper)["label_id"],
        issue(shipper)["label_id"],
        issue(shipper, **OIL)["label_id"],  # another code
        issue(shipper)["label_id"],
        issue(shipper, produced_date="2024-03-16")["label_id"],  # another day
        issue(shipper, **OIL)["label_id"],
        issue(receiver, producer_uscc=RECEIVER, producer_name="南通绿源固废处置中心有限公司")[
            "label_id"
        ],  # another unit
    ]
    assert ids == [
        SHIPPER + "90004149" + "20240315" + "001",
        SHIPPER + "90004149" + "20240315" + "002",
        SHIPPER + "90024908" + "20240315" + "001",
        SHIPPER + "90004149" + "20240315" + "003",
        SHIPPER + "90004149" + "20240316" + "001",
        SHIPPER + "90024908" + "20240315" + "002",
        RECEIVER + "90004149" + "20240315" + "001",
    ]


def test_label_is_stored_and_read_back(shipper: Caller, national: Caller, mock: Control) -> None:
    label = issue(shipper)
    assert shipper.get("/api/v1/labels/" + label["label_id"]).json() == label
    assert national.get("/api/v1/labels/" + label["label_id"]).json() == label
    assert mock.state()["labels"] == 1
    entry = mock.journal()[0]
    assert entry["records"] == [{"resource": "labels", "key": label["label_id"], "action": "created"}]


def test_replayed_issue_does_not_use_a_sequence(shipper: Caller) -> None:
    first = shipper.post("/api/v1/labels", label_request(), idem="label-1")
    again = shipper.post("/api/v1/labels", label_request(), idem="label-1")
    assert again.content == first.content
    assert issue(shipper)["label_id"].endswith("002")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("label_id", SHIPPER + "90004149" + "20240315" + "777"),
        ("qr_payload", "https://gfxt.hazlink.example/label/x"),
        ("issued_at", "2024-03-15T09:00:00+08:00"),
    ],
)
def test_national_fields_are_refused(field: str, value: str, shipper: Caller, mock: Control) -> None:
    body = label_request()
    body[field] = value
    assert_problem(shipper.post("/api/v1/labels", body), 403, "authz.field")
    assert mock.state()["labels"] == 0


def test_label_for_another_unit_is_403(shipper: Caller, zhejiang: Caller, mock: Control) -> None:
    body = label_request(producer_uscc=RECEIVER, producer_name="南通绿源固废处置中心有限公司")
    assert_problem(shipper.post("/api/v1/labels", body), 403, "authz.scope")
    assert_problem(zhejiang.post("/api/v1/labels", label_request()), 403, "authz.scope")
    assert mock.state()["labels"] == 0


def test_reading_another_scopes_label_is_403(
    shipper: Caller, receiver: Caller, zhejiang: Caller, jiangsu: Caller
) -> None:
    lid = issue(shipper)["label_id"]
    assert_problem(receiver.get("/api/v1/labels/" + lid), 403, "authz.scope")
    assert_problem(zhejiang.get("/api/v1/labels/" + lid), 403, "authz.scope")
    assert jiangsu.get("/api/v1/labels/" + lid).status_code == 200


def test_unknown_label_is_404(shipper: Caller) -> None:
    assert_problem(shipper.get("/api/v1/labels/" + SHIPPER + "90004149" + "20240315" + "999"), 404, "not_found")


@pytest.mark.parametrize(
    ("changes", "code", "path"),
    [
        ({"waste_category": "HW08"}, "waste_code.category_mismatch", "$.waste_category"),
        ({"waste_code": "123-456-49"}, "waste_code.unknown", "$.waste_code"),
        ({"hazards": ["T", "C"]}, "waste_code.hazard_not_in_catalogue", "$.hazards[1]"),
        ({"weight_t": "-1"}, None, "$.weight_t"),
        ({"produced_date": "2024-02-30"}, None, "$.produced_date"),
        ({"producer_uscc": "NOT-A-CODE"}, None, "$.producer_uscc"),
    ],
)
def test_label_request_is_validated(
    changes: dict[str, Any], code: str | None, path: str, shipper: Caller, mock: Control
) -> None:
    doc = assert_problem(shipper.post("/api/v1/labels", label_request(**changes)), 422, "contract.invalid")
    paths = {f["path"]: f["code"] for f in doc["findings"]}
    assert path in paths, doc["findings"]
    if code:
        assert paths[path] == code
    assert mock.state()["labels"] == 0

"""``GET /labels``: the issued labels, by producer, scoped like the other listings and paged by cursor."""

from __future__ import annotations

from datetime import datetime

from tests.mocks.conftest import RECEIVER, SHIPPER, assert_problem, label_request
from tests.mocks.national_client import Caller

LABELS = "/api/v1/labels"


def test_labels_are_listed_in_scope_and_paged(shipper: Caller, receiver: Caller, national: Caller) -> None:
    assert shipper.get(LABELS).json() == {"items": [], "next_cursor": None}
    issued = []
    for day in ("2024-03-15", "2024-03-16"):
        resp = shipper.post(LABELS, label_request(produced_date=day))
        assert resp.status_code == 201, resp.text
        issued.append(resp.json())
    other = receiver.post(LABELS, label_request(producer_uscc=RECEIVER, producer_name="南通绿源固废处置中心有限公司"))
    assert other.status_code == 201, other.text

    mine = shipper.get(LABELS).json()
    assert mine["next_cursor"] is None
    assert [{k: v for k, v in item.items() if k != "updated_at"} for item in mine["items"]] == issued
    assert all(datetime.fromisoformat(item["updated_at"]).utcoffset() is not None for item in mine["items"])

    first = national.get(LABELS, unit=SHIPPER, limit="1").json()
    assert [i["label_id"] for i in first["items"]] == [issued[0]["label_id"]] and first["next_cursor"]
    rest = national.get(LABELS, unit=SHIPPER, limit="1", cursor=first["next_cursor"]).json()
    assert [i["label_id"] for i in rest["items"]] == [issued[1]["label_id"]]
    assert len(national.get(LABELS).json()["items"]) == 3
    assert [i["producer_uscc"] for i in receiver.get(LABELS).json()["items"]] == [RECEIVER]
    assert national.get(LABELS, updated_since="2999-01-01T00:00:00+08:00").json()["items"] == []

    assert_problem(receiver.get(LABELS, unit=SHIPPER), 403, "authz.scope")
    assert_problem(national.get(LABELS, unit="not-a-code"), 400, "request.query")
    assert_problem(national.get(LABELS, limit="0"), 400, "request.limit")

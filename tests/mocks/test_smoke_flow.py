"""One whole manifest through the mock, as a province's bridge would drive it."""

from __future__ import annotations

from tests.mocks.conftest import draft_manifest
from tests.mocks.national_client import Caller


def test_manifest_lifecycle_end_to_end(shipper: Caller, receiver: Caller, national: Caller) -> None:
    created = shipper.post("/api/v1/manifests", draft_manifest())
    assert created.status_code == 201, created.text
    no = created.json()["manifest_no"]
    assert no[4:8] == "3205" and created.json()["status"] == "draft"
    assert shipper.post(f"/api/v1/manifests/{no}/submit", {}).json()["status"] == "submitted"
    assert shipper.post(f"/api/v1/manifests/{no}/dispatch", {"dispatched_at": "2024-03-25T10:05:00+08:00"}).status_code == 200
    points = {"points": [{"recorded_at": "2024-03-25T10:30:00+08:00", "lat": 31.3, "lon": 120.7, "speed_kmh": 60}]}
    assert shipper.post(f"/api/v1/manifests/{no}/tracks", points).json() == {"accepted": 1, "total": 1}
    body = {"received_at": "2024-03-25T14:40:00+08:00", "lines": [{"line_no": 1, "received_t": "1.25"}, {"line_no": 2, "received_t": "0.72"}]}
    done = receiver.post(f"/api/v1/manifests/{no}/receive", body)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "received"
    assert national.get(f"/api/v1/manifests/{no}").json()["items"][0]["received_t"] == "1.250000"

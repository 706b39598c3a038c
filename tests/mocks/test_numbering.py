"""National manifest numbers: year + the shipper's province and prefecture + a 6-digit serial per prefecture and year."""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

import pytest

from tests.mocks.conftest import ACTION_BODIES, Control, assert_problem, draft_manifest, sample
from tests.mocks.national_client import Caller

NANJING = "91320102MA1W2X3Y41"  # 南京玄武, prefecture 3201
WUXI = "91320205MA1R7T8U6A"  # 无锡锡山, prefecture 3202
HANGZHOU = "91330102MA2H4K6L89"  # 杭州上城, prefecture 3301


def unit(uscc: str, name: str, region: str) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": name,
        "region_code": region,
        "address": name + "厂区1号",
        "contact": {"person": "张工", "phone": "025-84001234"},
        "management_class": "key",
    }


UNITS = [
    unit(NANJING, "南京玄武化工有限公司", "320102"),
    unit(WUXI, "无锡锡山表面处理有限公司", "320205"),
    unit(HANGZHOU, "杭州上城电镀有限公司", "330102"),
]


@pytest.fixture
def seeded(mock: Control) -> Control:
    assert mock.seed({"units": UNITS})["units"] == 3
    return mock


def shipped_by(u: dict[str, Any]) -> dict[str, Any]:
    body = draft_manifest()
    body["shipper"] = {k: u[k] for k in ("uscc", "name", "region_code", "address", "contact")}
    if u["region_code"].startswith("33"):  # to the 嘉兴 plant, in the same province
        body["receiver"] = copy.deepcopy(sample("manifests.ndjson")[1]["receiver"])
        body["receiver_license_no"] = "3304000123"
    return body


def number(caller: Caller, body: dict[str, Any]) -> str:
    resp = caller.post("/api/v1/manifests", body)
    assert resp.status_code == 201, resp.text
    no = str(resp.json()["manifest_no"])
    assert resp.headers["location"] == f"/api/v1/manifests/{no}"
    return no


def this_year(mock: Control) -> int:
    return datetime.fromisoformat(mock.clock()["now"]).year


def test_number_shape(shipper: Caller, mock: Control) -> None:
    no = number(shipper, draft_manifest())
    assert len(no) == 14 and no.isdigit()
    assert no == f"{this_year(mock)}3205000001"


def test_serials_count_per_prefecture(seeded: Control, shipper: Caller, jiangsu: Caller, zhejiang: Caller) -> None:
    year = this_year(seeded)
    by = {u["uscc"]: u for u in UNITS}
    got = [
        number(shipper, draft_manifest()),
        number(jiangsu, shipped_by(by[NANJING])),
        number(shipper, draft_manifest()),
        number(jiangsu, shipped_by(by[WUXI])),
        number(jiangsu, shipped_by(by[NANJING])),
        number(zhejiang, shipped_by(by[HANGZHOU])),
        number(jiangsu, draft_manifest()),
    ]
    assert got == [
        f"{year}3205000001",
        f"{year}3201000001",
        f"{year}3205000002",
        f"{year}3202000001",
        f"{year}3201000002",
        f"{year}3301000001",
        f"{year}3205000003",
    ]


def test_failed_and_replayed_creations_use_no_serial(shipper: Caller, mock: Control) -> None:
    year = this_year(mock)
    body = draft_manifest()
    assert number(shipper, body) == f"{year}3205000001"
    bad = draft_manifest()
    bad["receiver_license_no"] = "JS0000NOPE01"
    assert shipper.post("/api/v1/manifests", bad).status_code == 422
    assert shipper.post("/api/v1/manifests", body, idem="twice").status_code == 201
    assert shipper.post("/api/v1/manifests", body, idem="twice").headers["idempotent-replayed"] == "true"
    assert number(shipper, body) == f"{year}3205000003"


def test_cancelled_numbers_are_not_reused(shipper: Caller, mock: Control) -> None:
    year = this_year(mock)
    first = number(shipper, draft_manifest())
    second = number(shipper, draft_manifest())
    for no in (first, second):
        assert shipper.post(f"/api/v1/manifests/{no}/cancel", ACTION_BODIES["cancel"]).status_code == 200
    assert number(shipper, draft_manifest()) == f"{year}3205000003"


def test_new_year_starts_again_and_old_numbers_are_never_reused(
    seeded: Control, shipper: Caller, jiangsu: Caller, national: Caller
) -> None:
    year = this_year(seeded)
    nanjing = shipped_by(UNITS[0])
    old = [number(shipper, draft_manifest()) for _ in range(3)] + [number(jiangsu, nanjing)]
    assert old[-2:] == [f"{year}3205000003", f"{year}3201000001"]
    seeded.clock(set=f"{year + 1}-01-01T00:00:05+08:00", freeze=True)
    new = [number(shipper, draft_manifest()), number(shipper, draft_manifest()), number(jiangsu, nanjing)]
    assert new == [f"{year + 1}3205000001", f"{year + 1}3205000002", f"{year + 1}3201000001"]
    # back in the old year (a late entry, or a clock set back): its serial goes on, nothing is reused
    seeded.clock(set=f"{year}-12-31T23:59:00+08:00", freeze=True)
    assert number(shipper, draft_manifest()) == f"{year}3205000004"
    seeded.clock(set=f"{year + 1}-06-01T12:00:00+08:00", freeze=True)
    assert number(shipper, draft_manifest()) == f"{year + 1}3205000003"
    everything = [m["manifest_no"] for m in national.get("/api/v1/manifests").json()["items"]]
    assert len(everything) == len(set(everything)) == 9


def test_the_year_is_the_year_in_china(shipper: Caller, mock: Control) -> None:
    year = this_year(mock)
    mock.clock(set=f"{year}-12-31T16:30:00+00:00", freeze=True)  # 00:30 on 1 January in Beijing
    assert number(shipper, draft_manifest()) == f"{year + 1}3205000001"


def test_clock_needs_an_offset(mock: Control) -> None:
    resp = mock.client.post("/_mock/clock", json={"set": "2027-01-01T00:00:00"}, headers=mock.headers)
    assert_problem(resp, 422, "contract.invalid")
    assert [f["code"] for f in resp.json()["findings"]] == ["schema.timezone_aware"]


@pytest.mark.parametrize(
    "body", [{"advance_s": 1e20}, {"set": "0001-01-01T00:00:00+08:00"}, {"set": "2300-01-01T00:00:00+08:00"}]
)
def test_clock_stays_within_the_contract_range(mock: Control, body: dict[str, object]) -> None:
    before = mock.client.get("/_mock/clock", headers=mock.headers).json()["now"]
    resp = mock.client.post("/_mock/clock", json=body, headers=mock.headers)
    assert resp.status_code == 422
    assert mock.client.get("/_mock/clock", headers=mock.headers).json()["now"][:16] == before[:16]

"""The reference local systems behave like the systems they stand for."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from lxml import etree

from mocks.local import TZ, Generator, enterprise_csv, legacy_soap, prov_rest
from mocks.local.inprocess import asgi_client

T0 = datetime(2024, 6, 1, 10, 0, 0, tzinfo=TZ)


class Tick:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def prov() -> Iterator[tuple[prov_rest.ProvRestSystem, httpx.Client]]:
    system = prov_rest.ProvRestSystem(clock=Tick())
    with asgi_client(prov_rest.create_app(system)) as client:
        yield system, client


def test_prov_rest_window_is_inclusive_and_ordered(prov) -> None:  # type: ignore[no-untyped-def]
    system, client = prov
    system.seed(Generator(1), manifests=5, points=0)
    params = {
        "token": "demo-token",
        "pageNum": 1,
        "pageSize": 2,
        "MODIFYRQ_KS": "2024-06-01 10:00:02",
        "MODIFYRQ_JS": "2024-06-01 10:00:04",
    }
    body = client.get("/ldxx/V1", params=params).json()
    assert body["success"] and body["total"] == 3 and body["pages"] == 2
    assert [r["MODIFYRQ"] for r in body["obj"]] == ["2024-06-01 10:00:02", "2024-06-01 10:00:03"]


def test_prov_rest_refuses_a_bad_token_the_way_such_platforms_do(prov) -> None:  # type: ignore[no-untyped-def]
    _, client = prov
    response = client.get("/ldxx/V1", params={"token": "x"})
    assert response.status_code == 200 and response.json() == {
        "success": False,
        "code": "03",
        "msg": "token无效",
        "obj": None,
    }


def test_prov_rest_write_endpoint_is_a_business_event(prov) -> None:  # type: ignore[no-untyped-def]
    system, client = prov
    record = prov_rest.render_manifest(Generator(2).manifest())
    saved = client.post("/ldxx/V1", params={"token": "demo-token"}, json=record).json()["obj"][0]
    assert saved["MODIFYRQ"] and system.records["ldxx"][record["ldbh"]]["ldbh"] == record["ldbh"]
    made = client.post("/admin/generate", params={"manifests": 2, "seed": 3}).json()["obj"]
    assert len(made) == 2


def test_prov_rest_renders_tracks_in_gcj02() -> None:
    m = Generator(3).manifest(status="in_transit")
    point = Generator(3).track(m, 1)[0]
    rendered = prov_rest.render_track(m["manifest_no"], point)
    assert rendered["jd"] != f"{point['lon']:.6f}"  # shifted by the GCJ-02 offset
    assert rendered["dwsj"] == point["recorded_at"].strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def soap() -> Iterator[tuple[legacy_soap.LegacySoapSystem, httpx.Client]]:
    system = legacy_soap.LegacySoapSystem(clock=Tick())
    with asgi_client(legacy_soap.create_app(system), "http://legacy.test") as client:
        yield system, client


def call(client: httpx.Client, body: str) -> etree._Element:
    envelope = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://ws.gfxt.local/">'
        f"<soap:Body>{body}</soap:Body></soap:Envelope>"
    )
    response = client.post(legacy_soap.PATH, content=envelope.encode(), headers={"Content-Type": "text/xml"})
    return etree.fromstring(response.content)


def test_legacy_soap_token_query_and_fault(soap) -> None:  # type: ignore[no-untyped-def]
    system, client = soap
    system.seed(Generator(4), manifests=3, points=0)
    doc = call(client, "<t:getToken><t:yhm>demo</t:yhm><t:mm>demo-pass</t:mm></t:getToken>")
    token = doc.findtext(".//{http://ws.gfxt.local/}token")
    query = f"<t:queryLdxx><t:token>{token}</t:token><t:ksrq>0</t:ksrq><t:jsrq>9</t:jsrq><t:pageNo>1</t:pageNo><t:pageSize>2</t:pageSize></t:queryLdxx>"
    doc = call(client, query)
    assert doc.findtext(".//{http://ws.gfxt.local/}pageCount") == "2"
    assert len(doc.findall(".//{http://ws.gfxt.local/}ldxx")) == 2
    fault = call(client, query.replace(str(token), "stale"))
    assert fault.findtext(".//faultstring") == "03 token无效"


def test_legacy_soap_refuses_a_request_with_a_dtd(soap) -> None:  # type: ignore[no-untyped-def]
    _, client = soap
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    response = client.post(legacy_soap.PATH, content=evil)
    assert response.status_code == 500
    assert "拒绝含 DOCTYPE 的请求" in response.content.decode("utf-8") and b"root:" not in response.content


def test_legacy_soap_renders_the_old_forms() -> None:
    m = Generator(5).manifest(status="received")
    r = legacy_soap.render_manifest(m)
    assert len(r["ldbh"]) == 16 and r["gjldbh"] == m["manifest_no"]
    assert r["fwxx"][0]["fwdm"].isdigit() and len(r["fwxx"][0]["fwdm"]) == 8
    assert set(r["fwxx"][0]["wxtx"].split("、")) <= {"毒性", "腐蚀性", "易燃性", "反应性", "感染性"}
    assert r["tbrq"] == m["created_at"].strftime("%Y%m%d")


def test_enterprise_exports_append_with_one_header(tmp_path: Path) -> None:
    records = Generator(6).ledger(1)
    for r in records:
        enterprise_csv.write_event(tmp_path, r, day="20240301")
    text = (tmp_path / "台账导出-20240301.csv").read_bytes().decode("gb18030")
    assert text.count("台账类型") == 1 and len(text.strip().splitlines()) == 5


def test_enterprise_rows_vary_the_written_forms() -> None:
    records = Generator(7).ledger(6)
    rows = [enterprise_csv.render_row(r) for r in records]
    assert len({r["计量单位"] for r in rows}) >= 3
    assert any("/" in r["废物代码"] or "－" in r["废物代码"] for r in rows)
    assert json.dumps(rows, ensure_ascii=False)


def test_operation_records_and_reports_are_valid_and_consistent() -> None:
    from contracts import OperationRecord, OperationReport, Validator
    from contracts.rules.reports import check_report

    gen = Generator(8)
    records = gen.operations(5, unit_uscc="91320612MA1NH0KR2W", license_no="JS0612OOD567", month=3)
    assert [r["kind"] for r in records[:3]] == ["receive", "store", records[2]["kind"]]
    assert [r["occurred_at"] for r in records] == sorted(r["occurred_at"] for r in records)
    for r in records:
        assert not [f for f in Validator("operation").validate_python(r).findings if f.severity.value == "error"]
    book = [OperationRecord.model_validate(r) for r in records]
    for period_type in ("monthly", "annual"):
        report = gen.report(records, period_type=period_type)
        outcome = Validator("operation-report").validate_python(report)
        assert outcome.model is not None and not [f for f in outcome.findings if f.severity.value == "error"]
        assert check_report(OperationReport.model_validate(report), book) == []
    rows = [enterprise_csv.render_operation_row(r) for r in records]
    assert set(rows[0]) == set(enterprise_csv.OPERATION_HEADERS)
    row = enterprise_csv.render_report_row(gen.report(records))
    assert set(row) == set(enterprise_csv.REPORT_HEADERS) and row["报告类型"] == "月报"
    assert row["废物代码"].count("；") == row["接收量"].count("；")

"""Regenerate the sample records shipped under contracts/samples/ (run from the repository root).

The samples are realistic but fictitious: credit codes carry correct check characters, codes come from
the 2021 catalogue and the 2023 region table. Invalid samples break exactly the rule they name in
``index.json``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from contracts.identifiers import uscc_check_char

OUT = Path("contracts/samples")


def uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


SHIPPER = uscc("91320576MA1MXK3Q7")  # a chemical plant in 苏州工业园区
RECEIVER = uscc("91320612MA1NH0KR2")  # a licensed disposal centre in 南通通州
CARRIER = uscc("91320507MA1P8G6L4")  # a dangerous-goods carrier in 苏州相城
ZJ_RECEIVER = uscc("91330411MA2B9JX55")  # a licensed utilisation plant in 嘉兴秀洲
LIC = "JS0612OOD567"
ZJ_LIC = "3304000123"


def party(code: str, name: str, region: str, address: str, person: str, phone: str) -> dict:
    return {
        "uscc": code,
        "name": name,
        "region_code": region,
        "address": address,
        "contact": {"person": person, "phone": phone},
    }


shipper = party(
    SHIPPER, "苏州华澄精细化工有限公司", "320576", "江苏省苏州市工业园区金鸡湖大道1355号", "陈立明", "0512-62881234"
)
receiver = party(
    RECEIVER, "南通绿源固废处置中心有限公司", "320612", "江苏省南通市通州区滨江路88号", "周晓燕", "0513-86112233"
)
zj_receiver = party(
    ZJ_RECEIVER, "嘉兴恒清资源再生有限公司", "330411", "浙江省嘉兴市秀洲区洪合镇工业园8号", "沈建国", "0573-82216655"
)
carrier = {
    **party(CARRIER, "苏州安达危险品运输有限公司", "320507", "江苏省苏州市相城区阳澄湖东路66号", "王海", "13962112345"),
    "leg": 1,
    "mode": "road",
    "vehicle_plate": "苏E7G352",
    "road_permit_no": "苏交运管许可苏字320507001234号",
    "driver": "李国强",
}


def label_id(code: str, day: str, seq: int) -> str:
    return SHIPPER + code.replace("-", "") + day.replace("-", "") + f"{seq:03d}"


manifest = {
    "manifest_no": "20243205000123",
    "local_ref": "JS2024032500017",
    "status": "received",
    "shipper": shipper,
    "carriers": [carrier],
    "receiver": receiver,
    "receiver_license_no": LIC,
    "items": [
        {
            "line_no": 1,
            "waste_code": "900-041-49",
            "waste_name": "废弃包装桶（沾染有机溶剂）",
            "waste_category": "HW49",
            "form": "S",
            "hazards": ["T"],
            "packaging": "吨袋",
            "package_count": 2,
            "quantity_t": "1.250000",
            "method": "D10",
            "label_ids": [label_id("900-041-49", "2024-03-15", 1), label_id("900-041-49", "2024-03-15", 2)],
            "received_t": "1.246000",
        },
        {
            "line_no": 2,
            "waste_code": "900-249-08",
            "waste_name": "废矿物油",
            "waste_category": "HW08",
            "form": "L",
            "hazards": ["T", "I"],
            "packaging": "200L钢桶",
            "package_count": 4,
            "quantity_t": "0.720000",
            "method": "R9",
            "label_ids": [label_id("900-249-08", "2024-03-18", i) for i in range(1, 5)],
            "received_t": "0.720000",
        },
    ],
    "emergency_measures": "泄漏时用沙土覆盖吸附，禁止明火，疏散无关人员并报告当地生态环境部门。",
    "created_at": "2024-03-25T08:30:00+08:00",
    "dispatched_at": "2024-03-25T10:05:00+08:00",
    "received_at": "2024-03-25T14:40:00+08:00",
    "significant_discrepancy": False,
}

cross = copy.deepcopy(manifest)
cross.update(
    manifest_no="20243205000124",
    local_ref="JS2024032600003",
    receiver=zj_receiver,
    receiver_license_no=ZJ_LIC,
    approval_no="苏环危转〔2024〕0131号",
    status="in_transit",
    created_at="2024-03-26T09:00:00+08:00",
    dispatched_at="2024-03-26T09:40:00+08:00",
)
cross.pop("received_at")
cross["items"] = [dict(manifest["items"][1], line_no=1, received_t=None)]

bad_category = copy.deepcopy(manifest)
bad_category["manifest_no"] = "20243205000125"
bad_category["items"][0]["waste_category"] = "HW08"  # the classic mistake: 900-041-49 is HW49

bad_origin = copy.deepcopy(manifest)
bad_origin["manifest_no"] = "20243206000001"  # 南通's prefix on a 苏州 shipper

naive_time = copy.deepcopy(manifest)
naive_time["manifest_no"] = "20243205000126"
naive_time["dispatched_at"] = "2024-03-25 10:05:00"

no_flag = copy.deepcopy(manifest)
no_flag["manifest_no"] = "20243205000127"
no_flag["items"][0]["received_t"] = "1.150000"  # 8 % short, yet no 重大差异

no_approval = copy.deepcopy(cross)
no_approval["manifest_no"] = "20243205000128"
no_approval.pop("approval_no")

bad_plate = copy.deepcopy(manifest)
bad_plate["manifest_no"] = "20243205000129"
bad_plate["carriers"][0]["vehicle_plate"] = "苏EO1234"

bad_uscc = copy.deepcopy(manifest)
bad_uscc["manifest_no"] = "20243205000130"
bad_uscc["receiver"]["uscc"] = RECEIVER[:-1] + ("0" if RECEIVER[-1] != "0" else "1")

unit_rows = [
    {
        "uscc": SHIPPER,
        "name": shipper["name"],
        "region_code": "320576",
        "address": shipper["address"],
        "contact": shipper["contact"],
        "management_class": "key",
    },
    {
        "uscc": RECEIVER,
        "name": receiver["name"],
        "region_code": "320612",
        "address": receiver["address"],
        "contact": receiver["contact"],
        "management_class": "key",
    },
    {
        "uscc": "91350100M0001TGQXM",
        "name": "福州闽江电镀有限公司",
        "region_code": "350102",
        "address": "福建省福州市鼓楼区工业路523号",
        "contact": {"person": "林秋华", "phone": "0591-83331234"},
        "management_class": "simplified",
    },
]

licences = [
    {
        "number": LIC,
        "holder_uscc": RECEIVER,
        "holder_name": receiver["name"],
        "license_type": "comprehensive",
        "categories": ["HW08", "HW49", "HW12", "HW17"],
        "codes": [],
        "methods": ["D10", "R9", "D9"],
        "annual_scale_t": "30000",
        "valid_from": "2022-07-01",
        "valid_to": "2027-06-30",
        "status": "valid",
    },
]

approvals = [
    {
        "number": "苏环危转〔2024〕0131号",
        "origin_province": "32",
        "receiving_province": "33",
        "shipper_uscc": SHIPPER,
        "receiver_uscc": ZJ_RECEIVER,
        "items": [{"waste_code": "900-249-08", "approved_t": "12"}],
        "valid_from": "2024-03-01",
        "valid_to": "2025-02-28",
    },
]

label = {
    "label_id": label_id("900-041-49", "2024-03-15", 1),
    "waste_name": "废弃包装桶（沾染有机溶剂）",
    "waste_category": "HW49",
    "waste_code": "900-041-49",
    "form": "S",
    "hazards": ["T"],
    "main_components": "聚乙烯桶体、残留乙酸乙酯",
    "harmful_components": "乙酸乙酯、甲苯",
    "precautions": "远离火源，防止泄漏，轻装轻卸",
    "producer_uscc": SHIPPER,
    "producer_name": shipper["name"],
    "contact": shipper["contact"],
    "produced_date": "2024-03-15",
    "weight_t": "0.625000",
    "container_type": "吨袋",
    "container_volume_l": "1000",
    "qr_payload": "https://gfxt.example.gov.cn/label/" + label_id("900-041-49", "2024-03-15", 1),
    "issued_at": "2024-03-15T09:12:44+08:00",
}
label_drum = dict(
    label,
    label_id=label_id("900-249-08", "2024-03-18", 1),
    waste_name="废矿物油",
    waste_category="HW08",
    waste_code="900-249-08",
    form="L",
    hazards=["T", "I"],
    main_components="矿物基础油",
    harmful_components="多环芳烃",
    produced_date="2024-03-18",
    weight_t="0.180000",
    container_type="钢桶",
    container_volume_l="200",
    qr_payload="https://gfxt.example.gov.cn/label/" + label_id("900-249-08", "2024-03-18", 1),
    issued_at="2024-03-18T10:01:02+08:00",
)
label_tampered = dict(
    label, label_id=label_id("900-041-49", "2024-03-15", 3), produced_date="2024-03-16"
)  # edited date
label_bad_hazard = dict(label_drum, label_id=label_id("900-249-08", "2024-03-18", 2), hazards=["T", "In"])


def ledger(kind: str, batch: str, at: str, qty: str, **extra: object) -> dict:
    base = {
        "kind": kind,
        "unit_uscc": SHIPPER,
        "batch_code": batch,
        "occurred_at": at,
        "waste_name": "废矿物油",
        "internal_name": "废液压油",
        "waste_category": "HW08",
        "waste_code": "900-249-08",
        "form": "L",
        "hazards": ["T", "I"],
        "quantity_t": qty,
        "container_type": "200L钢桶",
        "container_count": 1,
        "label_ids": [label_id("900-249-08", at[:10], int(batch[-3:]))],
        "handler": "陈立明",
    }
    base.update(extra)
    return base


ledger_rows = [
    ledger(
        "generate",
        "HWCS20240318001",
        "2024-03-18T09:00:00+08:00",
        "0.180000",
        facility_code="TS001",
        destination="危废暂存间",
    ),
    ledger("generate", "HWCS20240318002", "2024-03-18T15:30:00+08:00", "0.180000", facility_code="TS001"),
    ledger(
        "store_in",
        "HWRK20240318001",
        "2024-03-18T16:00:00+08:00",
        "0.360000",
        facility_code="TS002",
        facility_type="贮存库",
        upstream_batch_codes=["HWCS20240318001", "HWCS20240318002"],
        container_count=2,
        label_ids=[],
    ),
    ledger(
        "store_out",
        "HWCK20240325001",
        "2024-03-25T09:50:00+08:00",
        "0.360000",
        facility_code="TS002",
        facility_type="贮存库",
        upstream_batch_codes=["HWRK20240318001"],
        destination="委外处置",
        container_count=2,
        label_ids=[],
    ),
    ledger(
        "outsource",
        "HWWWLY20240325001",
        "2024-03-25T10:05:00+08:00",
        "0.360000",
        purpose="utilisation",
        method="R9",
        receiver_type="licensed",
        receiver_name=receiver["name"],
        receiver_uscc=RECEIVER,
        receiver_license_no=LIC,
        manifest_no="20243205000123",
        upstream_batch_codes=["HWCK20240325001"],
        container_count=2,
        label_ids=[],
    ),
]
ledger_bad = [
    ledger("generate", "HWCS20240401001", "2024-04-01T09:00:00+08:00", "0.200000", facility_code="TS001"),
    ledger(
        "store_in",
        "HWRK20240401001",
        "2024-04-01T10:00:00+08:00",
        "0.200000",
        facility_code="TS002",
        facility_type="贮存库",
        upstream_batch_codes=["HWCS20240401001"],
        label_ids=[],
    ),
    # takes out more than the store holds
    ledger(
        "store_out",
        "HWCK20240402001",
        "2024-04-02T09:00:00+08:00",
        "0.500000",
        facility_code="TS002",
        facility_type="贮存库",
        upstream_batch_codes=["HWRK20240401001"],
        label_ids=[],
    ),
    # a naive local time, as many local systems send it
    ledger("generate", "HWCS20240402002", "2024-04-02 15:00:00", "0.100000", facility_code="TS001"),
]


def op(rid: str, kind: str, at: str, qty: str, **extra: object) -> dict:
    row = {
        "record_id": rid,
        "license_no": LIC,
        "unit_uscc": RECEIVER,
        "kind": kind,
        "occurred_at": at,
        "waste_code": "900-249-08",
        "waste_category": "HW08",
        "waste_name": "废矿物油",
        "quantity_t": qty,
        "operator": "周晓燕",
    }
    row.update(extra)
    return row


operations = [
    op(
        "JY202403-0001",
        "receive",
        "2024-03-25T14:40:00+08:00",
        "0.720000",
        manifest_no="20243205000123",
        source_uscc=SHIPPER,
        facility_code="TS003",
    ),
    op("JY202403-0002", "store", "2024-03-25T15:10:00+08:00", "0.720000", facility_code="TS003"),
    op("JY202403-0003", "utilise", "2024-03-28T09:00:00+08:00", "0.500000", facility_code="TS101", method="R9"),
]
report = {
    "license_no": LIC,
    "unit_uscc": RECEIVER,
    "period_type": "monthly",
    "period": "2024-03",
    "submitted_at": "2024-04-12T16:20:00+08:00",
    "lines": [
        {
            "waste_code": "900-249-08",
            "opening_stock_t": "3.100000",
            "received_t": "0.720000",
            "utilised_t": "0.500000",
            "disposed_t": "0",
            "closing_stock_t": "3.320000",
        }
    ],
}
report_late = dict(
    report,
    period="2024-02",
    submitted_at="2024-03-20T10:00:00+08:00",
    lines=[dict(report["lines"][0], closing_stock_t="3.000000")],
)


def write_ndjson(name: str, rows: list[dict]) -> None:
    (OUT / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_ndjson(
        "manifests.ndjson",
        [manifest, cross, bad_category, bad_origin, naive_time, no_flag, no_approval, bad_plate, bad_uscc],
    )
    write_ndjson("units.ndjson", unit_rows)
    write_ndjson("licenses.ndjson", licences)
    write_ndjson("approvals.ndjson", approvals)
    write_ndjson("labels.ndjson", [label, label_drum, label_tampered, label_bad_hazard])
    write_ndjson("ledger.ndjson", ledger_rows)
    write_ndjson("ledger-invalid.ndjson", ledger_bad)
    write_ndjson("operations.ndjson", operations)
    write_ndjson("operation-reports.ndjson", [report, report_late])
    index = [
        {"file": "manifest.json", "kind": "manifest", "expect": {}},
        {
            "file": "manifests.ndjson",
            "kind": "manifest",
            "expect": {
                "3": ["waste_code.category_mismatch"],
                "4": ["manifest_no.origin_mismatch"],
                "5": ["schema.timezone_aware"],
                "6": ["discrepancy.flag_required"],
                "7": ["approval.missing"],
                "8": ["plate.format"],
                "9": ["uscc.checksum"],
            },
        },
        {"file": "units.ndjson", "kind": "unit", "expect": {"3": ["uscc.checksum"]}},
        {"file": "licenses.ndjson", "kind": "license", "expect": {}},
        {"file": "approvals.ndjson", "kind": "approval", "expect": {}},
        {
            "file": "labels.ndjson",
            "kind": "label",
            "expect": {"3": ["label_id.mismatch"], "4": ["waste_code.hazard_not_in_catalogue"]},
        },
        {"file": "ledger.ndjson", "kind": "ledger", "expect": {}},
        {
            "file": "ledger-invalid.ndjson",
            "kind": "ledger",
            "expect": {"3": ["ledger.negative_stock"], "4": ["schema.timezone_aware"]},
        },
        {"file": "operations.ndjson", "kind": "operation", "expect": {}},
        {
            "file": "operation-reports.ndjson",
            "kind": "operation-report",
            "expect": {"2": ["report.late", "report.stock_unbalanced"]},
        },
    ]
    (OUT / "index.json").write_text(json.dumps(index, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

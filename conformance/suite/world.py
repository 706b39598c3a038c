"""The world a certification plays in: registered parties, licences, an approval, and the records they make.

The parties are the shipped sample units (a 苏州 shipper, a 南通 disposal centre holding licence
JS0612OOD567, a 嘉兴 plant across the provincial border, two carriers); the national mock is seeded with
them, with an approval valid around the run's business date. Builders return records in contract form
as plain JSON values, each validated against its contract model, so a scenario can never play a record
the contract itself refuses.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

from pydantic import TypeAdapter

from conformance.reconcile.compare import distance_m
from contracts import License, OperationRecord, OperationReport, TransferApproval, Unit
from contracts.codelists import editions
from contracts.label import LabelRequest
from contracts.ledger import LedgerRecord
from contracts.manifest import Manifest
from mocks.national import SeedIn
from mocks.national.seed import CredentialIn

__all__ = ["Site", "World"]

_LEDGER: TypeAdapter[Any] = TypeAdapter(LedgerRecord)

SHIPPER, RECEIVER, CROSS = "91320576MA1MXK3Q7M", "91320612MA1NH0KR2W", "91330411MA2B9JX55K"
LICENCE, CROSS_LICENCE = "JS0612OOD567", "ZJ0411OOD208"
# Where the parties are (WGS-84): the ends of a truck's track lie near these.
SITES = {SHIPPER: (120.7231, 31.3201), RECEIVER: (121.0712, 32.0843), CROSS: (120.7105, 30.7706)}
# (waste code, form, packaging, tonnes per container, method)
WASTES = {
    "900-249-08": ("L", "200L钢桶", Decimal("0.18"), "R9", Decimal("200")),
    "900-041-49": ("S", "吨袋", Decimal("0.5"), "D10", Decimal("1000")),
}


def _sample(name: str) -> list[dict[str, Any]]:
    text = resources.files("contracts").joinpath("samples", name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _manifest_sample() -> dict[str, Any]:
    text = resources.files("contracts").joinpath("samples", "manifest.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def _party(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc[k] for k in ("uscc", "name", "region_code", "address", "contact")}


@dataclass(frozen=True)
class Site:
    """A party and where it is."""

    party: dict[str, Any]
    lon: float
    lat: float


@dataclass
class World:
    """Parties and record builders for one run; ``now`` is the business clock the records are stamped with."""

    seed: int = 0
    rng: random.Random = field(init=False)
    parties: dict[str, dict[str, Any]] = field(init=False)
    carriers: list[dict[str, Any]] = field(init=False)
    serial: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        sample = _manifest_sample()
        cross = _sample("manifests.ndjson")[1]
        self.parties = {
            SHIPPER: _party(sample["shipper"]),
            RECEIVER: _party(sample["receiver"]),
            CROSS: _party(cross["receiver"]),
        }
        first = {**_party(sample["carriers"][0]), "vehicle_plate": "苏E7G352"}
        first["road_permit_no"] = sample["carriers"][0]["road_permit_no"]
        second = {
            "uscc": "91320612MA1Q4L5R3H",
            "name": "南通通安危险货物运输有限公司",
            "region_code": "320612",
            "address": "江苏省南通市通州区金沙镇运输路9号",
            "contact": {"person": "顾建华", "phone": "13806281234"},
            "vehicle_plate": "苏F3K829",
            "road_permit_no": "苏交运管许可通字320612004567号",
        }
        self.carriers = [first, second]

    # -- what the national side must know ------------------------------------------------------------
    def seed_in(self, business: datetime, app_key: str, secret: str) -> SeedIn:
        """Units, licences, an approval valid around ``business``, and the system under test's credential."""
        units = [Unit.model_validate({**p, "management_class": "key"}) for p in self.parties.values()]
        units += [Unit.model_validate({**_party(c), "management_class": "registered"}) for c in self.carriers]
        licences = [License.model_validate(x) for x in _sample("licenses.ndjson")]
        licences.append(
            License.model_validate(
                {
                    "number": CROSS_LICENCE,
                    "holder_uscc": CROSS,
                    "holder_name": self.parties[CROSS]["name"],
                    "license_type": "comprehensive",
                    "categories": ["HW08", "HW49"],
                    "methods": ["R9", "R15", "D10"],
                    "annual_scale_t": "20000",
                    "valid_from": "2023-01-01",
                    "valid_to": f"{business.year + 2}-12-31",
                    "status": "valid",
                }
            )
        )
        day = business.date()
        approval = TransferApproval.model_validate(
            {
                "number": self.approval_no(business),
                "origin_province": "32",
                "receiving_province": "33",
                "shipper_uscc": SHIPPER,
                "receiver_uscc": CROSS,
                "items": [
                    {"waste_code": "900-249-08", "approved_t": "500"},
                    {"waste_code": "900-041-49", "approved_t": "500"},
                ],
                "valid_from": (day - timedelta(days=60)).isoformat(),
                "valid_to": (day + timedelta(days=300)).isoformat(),
            }
        )
        cred = CredentialIn(app_key=app_key, secret=secret, scope="*")
        return SeedIn(units=units, licenses=licences, approvals=[approval], credentials=[cred])

    @staticmethod
    def approval_no(business: datetime) -> str:
        """The run's cross-province approval number."""
        return f"苏环危转〔{business.year}〕0888号"

    def site(self, uscc: str) -> tuple[float, float]:
        """Where a party is (WGS-84)."""
        return SITES[uscc]

    # -- records --------------------------------------------------------------------------------------
    def label_request(self, waste_code: str, produced: date, unit: str = SHIPPER) -> dict[str, Any]:
        """What the shipper states about one container when it asks for a label."""
        entry = editions()[0].entries[waste_code]
        form, packaging, per, _method, volume = WASTES[waste_code]
        party = self.parties[unit]
        doc = {
            "waste_name": entry.description[:40].rstrip("，、,"),
            "waste_category": entry.category,
            "waste_code": waste_code,
            "form": form,
            "hazards": sorted(entry.hazards, key="TCIRIn".index),
            "main_components": "矿物油、水" if waste_code.endswith("-08") else "沾染有机溶剂的包装物",
            "harmful_components": "石油烃" if waste_code.endswith("-08") else "有机溶剂残留",
            "precautions": "远离火源，防止泄漏",
            "producer_uscc": party["uscc"],
            "producer_name": party["name"],
            "contact": party["contact"],
            "produced_date": produced.isoformat(),
            "weight_t": str(per),
            "container_type": packaging,
            "container_volume_l": str(volume),
        }
        return LabelRequest.model_validate(doc).model_dump(mode="json")

    def ledger(self, kinds: list[str], now: datetime, *, waste_code: str = "900-249-08") -> list[dict[str, Any]]:
        """One flow of the shipper's ledger: the record types asked for, linked by their batch codes."""
        entry = editions()[0].entries[waste_code]
        form, packaging, per, method, _v = WASTES[waste_code]
        self.serial += 1
        # The serial is not wrapped: HJ 1259's batch code allows 1-8 digits, and a wrapped one would repeat a
        # natural key once a run holds more than 999 flows in a day.
        n, ymd, count = self.serial, f"{now:%Y%m%d}", self.rng.randint(1, 4)
        common = {
            "unit_uscc": SHIPPER,
            "waste_name": entry.description[:40].rstrip("，、,"),
            "waste_category": entry.category,
            "waste_code": waste_code,
            "form": form,
            "hazards": sorted(entry.hazards, key="TCIRIn".index),
            "quantity_t": str(per * count),
            "container_type": packaging,
            "container_count": count,
            "handler": "陈立明",
        }
        receiver = self.parties[RECEIVER]
        specific: dict[str, dict[str, Any]] = {
            "generate": {"batch_code": f"HWCS{ymd}{n:03d}", "facility_code": "TS001", "destination": "危废暂存间"},
            "store_in": {"batch_code": f"HWRK{ymd}{n:03d}", "facility_code": "TS002", "facility_type": "贮存库"},
            "store_out": {
                "batch_code": f"HWCK{ymd}{n:03d}",
                "facility_code": "TS002",
                "facility_type": "贮存库",
                "destination": receiver["name"],
            },
            "self_process": {
                "batch_code": f"HWZZCZ{ymd}{n:03d}",
                "facility_code": "TS003",
                "method": "D10",
                "purpose": "disposal",
            },
            "outsource": {
                "batch_code": f"HWWWLY{ymd}{n:03d}",
                "purpose": "utilisation",
                "method": method,
                "receiver_type": "licensed",
                "receiver_name": receiver["name"],
                "receiver_uscc": receiver["uscc"],
                "receiver_license_no": LICENCE,
            },
        }
        out, upstream = [], None
        for i, kind in enumerate(kinds):
            rec = {**common, "kind": kind, **specific[kind], "occurred_at": (now + timedelta(seconds=i)).isoformat()}
            if upstream and kind != "generate":
                rec["upstream_batch_codes"] = [upstream]
            upstream = rec["batch_code"]
            out.append(_LEDGER.validate_python(rec).model_dump(mode="json", exclude_none=True))
        return out

    def manifest(
        self,
        ref: str,
        created: datetime,
        labels: dict[str, list[str]],
        *,
        cross: bool = False,
        carriers: int = 1,
    ) -> dict[str, Any]:
        """A draft manifest of the shipper with one item per waste code, carrying its labels."""
        receiver = CROSS if cross else RECEIVER
        items = []
        for line, (code, ids) in enumerate(sorted(labels.items()), start=1):
            entry = editions()[0].entries[code]
            form, packaging, per, method, _v = WASTES[code]
            items.append(
                {
                    "line_no": line,
                    "waste_code": code,
                    "waste_name": entry.description[:40].rstrip("，、,"),
                    "waste_category": entry.category,
                    "form": form,
                    "hazards": sorted(entry.hazards, key="TCIRIn".index),
                    "packaging": packaging,
                    "package_count": len(ids),
                    "quantity_t": str(per * len(ids)),
                    "method": method,
                    "label_ids": ids,
                }
            )
        legs = []
        for leg, c in enumerate(self.carriers[:carriers], start=1):
            legs.append({**c, "leg": leg, "mode": "road", "driver": ["李国强", "顾海峰"][leg - 1]})
        doc: dict[str, Any] = {
            "manifest_no": ref,
            "status": "draft",
            "shipper": self.parties[SHIPPER],
            "carriers": legs,
            "receiver": self.parties[receiver],
            "receiver_license_no": CROSS_LICENCE if cross else LICENCE,
            "items": items,
            "emergency_measures": "泄漏时用沙土覆盖吸附，禁止明火，疏散无关人员并报告当地生态环境部门。",
            "created_at": created.isoformat(),
            "significant_discrepancy": False,
        }
        if cross:
            doc["approval_no"] = self.approval_no(created)
        return Manifest.model_validate(doc).model_dump(mode="json", exclude_none=True)

    def trip_seconds(self, m: dict[str, Any], speed_kmh: float = 60.0) -> float:
        """How long the truck takes from the shipper's site to the receiver's at ``speed_kmh``."""
        (x0, y0), (x1, y1) = self.site(m["shipper"]["uscc"]), self.site(m["receiver"]["uscc"])
        return distance_m(y0, x0, y1, x1) / 1000 / speed_kmh * 3600

    def track(
        self, m: dict[str, Any], start: datetime, interval_s: int, gap: tuple[int, int] | None = None
    ) -> list[dict[str, Any]]:
        """WGS-84 fixes every ``interval_s`` of a truck driving at 60 km/h from the shipper's site to the receiver's.

        ``gap = (after, seconds)``: after the ``after``-th fix the signal is lost for ``seconds`` (the truck
        drives on; no fixes are recorded in that time).
        """
        (x0, y0), (x1, y1) = self.site(m["shipper"]["uscc"]), self.site(m["receiver"]["uscc"])
        duration = self.trip_seconds(m)
        times = [float(t) for t in range(0, int(duration), interval_s)] + [duration]
        if gap:
            lost_from = times[min(gap[0], len(times)) - 1]
            times = [t for t in times if not lost_from < t < lost_from + gap[1]]
        heading = (math.degrees(math.atan2(x1 - x0, y1 - y0)) + 360) % 360
        return [
            {
                "recorded_at": (start + timedelta(seconds=round(t))).isoformat(),
                "lon": round(x0 + (x1 - x0) * t / duration, 6),
                "lat": round(y0 + (y1 - y0) * t / duration, 6),
                "speed_kmh": "60",
                "heading_deg": str(round(heading) % 360),
                "vehicle_plate": m["carriers"][0]["vehicle_plate"],
            }
            for t in times
        ]

    def operation_records(self, month_start: date, count: int) -> list[dict[str, Any]]:
        """The receiver's operation book for one month: receipts and disposals of 900-249-08."""
        out = []
        for i in range(count):
            kind = "receive" if i % 2 == 0 else "utilise"
            self.serial += 1
            when = datetime.combine(month_start + timedelta(days=i), datetime.min.time()).replace(hour=9)
            doc = {
                "record_id": f"JY{month_start:%Y%m}{self.serial:05d}",
                "license_no": LICENCE,
                "unit_uscc": RECEIVER,
                "kind": kind,
                "occurred_at": when.isoformat() + "+08:00",
                "waste_code": "900-249-08",
                "waste_category": "HW08",
                "waste_name": "废矿物油",
                "quantity_t": "0.720000" if kind == "receive" else "0.540000",
                "operator": "周晓燕",
            }
            if kind == "receive":
                doc["source_uscc"] = SHIPPER
            else:
                doc["method"] = "R9"
                doc["facility_code"] = "RY001"
            out.append(OperationRecord.model_validate(doc).model_dump(mode="json", exclude_none=True))
        return out

    @staticmethod
    def operation_report(records: list[dict[str, Any]], period: str, submitted: datetime) -> dict[str, Any]:
        """The monthly report that sums ``records``."""
        received = sum((Decimal(r["quantity_t"]) for r in records if r["kind"] == "receive"), Decimal(0))
        utilised = sum((Decimal(r["quantity_t"]) for r in records if r["kind"] == "utilise"), Decimal(0))
        doc = {
            "license_no": LICENCE,
            "unit_uscc": RECEIVER,
            "period_type": "monthly",
            "period": period,
            "submitted_at": submitted.isoformat(),
            "lines": [
                {
                    "waste_code": "900-249-08",
                    "opening_stock_t": "0",
                    "received_t": str(received),
                    "utilised_t": str(utilised),
                    "disposed_t": "0",
                    "closing_stock_t": str(received - utilised),
                }
            ],
        }
        return OperationReport.model_validate(doc).model_dump(mode="json", exclude_none=True)

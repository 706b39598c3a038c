"""A seedable generator of realistic business records, in the contract's own shape.

The reference local systems render these records in their local formats (pinyin keys, kilograms,
split dates, GCJ-02 or BD-09, Chinese CSV headers). Because the generator knows the contract form, a
test can check that translating the local form gives the original back.

Realism: credit codes carry correct check characters and real region codes (GB/T 2260); waste codes
come from the 2021 catalogue with hazards it allows; manifest numbers follow 部令第23号 第十五条;
label ids are composed as HJ 1276 (18+8+8+3); plates follow GA 36; quantities are what a 200 L drum
or a tonne bag holds; tracks move at road speeds along a line between the two sites.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from contracts.codelists import editions, regions
from contracts.identifiers import DEFAULT_LABEL_SCHEME, USCC_ALPHABET, uscc_check_char
from contracts.rules.reports import report_due_date
from mappings.transforms.times import zone

__all__ = ["TZ", "Generator"]

TZ = zone("Asia/Shanghai")
_ABBR = {
    "11": "京",
    "12": "津",
    "13": "冀",
    "14": "晋",
    "31": "沪",
    "32": "苏",
    "33": "浙",
    "34": "皖",
    "37": "鲁",
    "44": "粤",
}
_PLATE = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_SURNAMES, _GIVEN = "王李张刘陈杨赵黄周吴徐孙朱马胡郭林何高罗", "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚国华建"
_BRANDS = ("华北", "恒信", "金源", "绿源", "安达", "宏远", "瑞丰", "中科", "天成", "鑫达")
_TRADES = ("精细化工", "汽车零部件", "电子材料", "表面处理", "机械制造", "医药化工")
_ROADS = ("建设路", "朝阳大街", "工业大道", "开发区迎宾路", "长江路", "滨河路")
# (code, form, packaging, method, tonnes per package): common wastes of a manufacturing site.
_WASTES = (
    ("900-041-49", "S", "吨袋", "D10", Decimal("0.5")),
    ("900-249-08", "L", "200L钢桶", "R9", Decimal("0.2")),
    ("900-214-08", "L", "200L钢桶", "R9", Decimal("0.2")),
    ("900-039-49", "S", "吨袋", "D10", Decimal("0.4")),
    ("336-064-17", "SS", "IBC吨桶", "D9", Decimal("1.0")),
    ("900-252-12", "SS", "200L钢桶", "D10", Decimal("0.2")),
    ("900-404-06", "L", "200L钢桶", "R2", Decimal("0.2")),
)
_PROVINCES = ("13", "32", "33", "37", "44")


class Generator:
    """Realistic, reproducible records: the same ``seed`` gives the same records."""

    def __init__(self, seed: int = 0, *, units: int = 24, year: int = 2024) -> None:
        self.rng = random.Random(seed)
        self.year = year
        table = regions()
        counties = sorted(c for c in table.counties if c[:2] in _PROVINCES and table.has_prefecture(c[:4]))
        catalogue = editions()[0]
        self.wastes = [w for w in _WASTES if catalogue.get(w[0]) is not None]
        self.catalogue = catalogue
        self.units = [self._unit(self.rng.choice(counties), i) for i in range(units)]
        self.carriers = [self._unit(self.rng.choice(counties), i, carrier=True) for i in range(max(2, units // 4))]
        self.serial = 0

    # -- parties -------------------------------------------------------------------------------------
    def _unit(self, county: str, i: int, *, carrier: bool = False) -> dict[str, Any]:
        rng, table = self.rng, regions()
        body = "91" + county + "".join(rng.choices(USCC_ALPHABET, k=9))
        city = (table.prefectures.get(county[:4]) or "").removesuffix("市")
        trade = "危险货物运输" if carrier else rng.choice(_TRADES)
        name = f"{city}{rng.choice(_BRANDS)}{trade}有限公司"
        province = table.provinces.get(county[:2], "")
        address = f"{province}{table.prefectures.get(county[:4], '')}{table.counties[county]}{rng.choice(_ROADS)}{rng.randint(1, 2000)}号"
        person = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.randint(1, 2)))
        phone = f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10**7, 10**8 - 1)}"
        lon = 113.0 + (int(county[:2]) % 7) + rng.random()
        lat = 30.0 + (int(county[2:4]) % 9) * 0.8 + rng.random()
        return {
            "uscc": body + uscc_check_char(body),
            "name": name,
            "region_code": county,
            "address": address,
            "contact": {"person": person, "phone": phone},
            "_site": (round(lon, 6), round(lat, 6)),
        }

    @staticmethod
    def party(unit: dict[str, Any]) -> dict[str, Any]:
        """A unit as a contract party (without the generator's private fields)."""
        return {k: v for k, v in unit.items() if not k.startswith("_")}

    def plate(self, region: str) -> str:
        """A GA 36 plate of the carrier's province, e.g. 冀A7G352."""
        return _ABBR.get(region[:2], "冀") + self.rng.choice(_PLATE[:24]) + "".join(self.rng.choices(_PLATE, k=5))

    def person(self) -> str:
        """A Chinese personal name."""
        return self.rng.choice(_SURNAMES) + "".join(self.rng.choices(_GIVEN, k=self.rng.randint(1, 2)))

    # -- manifests -----------------------------------------------------------------------------------
    def manifest(self, *, at: datetime | None = None, status: str | None = None) -> dict[str, Any]:
        """A valid manifest in contract form (Python values: Decimal tonnes, aware datetimes)."""
        rng = self.rng
        self.serial += 1
        shipper = rng.choice(self.units)
        same = [u for u in self.units if u is not shipper and u["region_code"][:2] == shipper["region_code"][:2]]
        # Most waste stays in its province; about one shipment in six crosses a border and needs approval.
        others = [u for u in self.units if u is not shipper]
        receiver = rng.choice(same) if same and rng.random() < 0.85 else rng.choice(others)
        carrier = rng.choice(self.carriers)
        created = at or datetime(self.year, 1, 2, 8, tzinfo=TZ) + timedelta(minutes=rng.randint(0, 300 * 24 * 60))
        created = created.replace(microsecond=0)
        status = status or rng.choice(("submitted", "in_transit", "received", "received"))
        items = [self._item(line, shipper["uscc"], created, status) for line in range(1, rng.randint(1, 3) + 1)]
        m: dict[str, Any] = {
            "manifest_no": f"{created.year}{shipper['region_code'][:4]}{self.serial:06d}",
            "status": status,
            "shipper": self.party(shipper),
            "carriers": [
                {
                    **self.party(carrier),
                    "leg": 1,
                    "mode": "road",
                    "vehicle_plate": self.plate(carrier["region_code"]),
                    "road_permit_no": f"交运管许可字{carrier['region_code']}{rng.randint(10**5, 10**6 - 1)}号",
                    "driver": self.person(),
                }
            ],
            "receiver": self.party(receiver),
            "receiver_license_no": f"{receiver['region_code'][:2]}{receiver['region_code'][2:4]}OOD{rng.randint(100, 999)}",
            "items": items,
            "emergency_measures": "泄漏时用沙土覆盖吸附，禁止明火，疏散无关人员并报告当地生态环境部门。",
            "created_at": created,
            "significant_discrepancy": False,
            "_route": (shipper["_site"], receiver["_site"]),
        }
        if shipper["region_code"][:2] != receiver["region_code"][:2]:
            m["approval_no"] = f"跨省转移〔{created.year}〕{rng.randint(1, 9999):04d}号"
        if status in ("in_transit", "received"):
            m["dispatched_at"] = created + timedelta(minutes=rng.randint(30, 240))
        if status == "received":
            m["received_at"] = m["dispatched_at"] + timedelta(minutes=rng.randint(60, 600))
        return m

    def _item(self, line: int, uscc: str, created: datetime, status: str) -> dict[str, Any]:
        rng = self.rng
        code, form, packaging, method, per_package = rng.choice(self.wastes)
        entry = self.catalogue.entries[code]
        count = rng.randint(1, 8)
        if per_package == Decimal("0.2"):
            quantity = per_package * count  # drums: counted, 0.2 t each
        else:
            quantity = Decimal(rng.randint(count * 100, count * int(per_package * 1000))) / 1000
        day = (created - timedelta(days=rng.randint(0, 20))).date()
        item: dict[str, Any] = {
            "line_no": line,
            "waste_code": code,
            "waste_name": entry.description[:40].rstrip("，、,"),
            "waste_category": entry.category,
            "form": form,
            "hazards": sorted(entry.hazards, key="TCIRIn".index),
            "packaging": packaging,
            "package_count": count,
            "quantity_t": quantity,
            "method": method,
            "label_ids": [DEFAULT_LABEL_SCHEME.compose(uscc, code, day, s) for s in range(1, count + 1)],
        }
        if status == "received":
            loss = Decimal(rng.randint(0, 20)) / 1000  # under 2 %: no 重大差异
            item["received_t"] = (
                quantity if per_package == Decimal("0.2") else (quantity * (1 - loss)).quantize(Decimal("0.001"))
            )
        return item

    def track(self, manifest: dict[str, Any], points: int = 6) -> list[dict[str, Any]]:
        """GPS fixes (WGS-84) of the first carrier along the route, one a minute from dispatch."""
        (x0, y0), (x1, y1) = manifest["_route"]
        start = manifest.get("dispatched_at") or manifest["created_at"]
        heading = (math.degrees(math.atan2(x1 - x0, y1 - y0)) + 360) % 360
        out = []
        for i in range(points):
            f = i / max(points - 1, 1)
            out.append(
                {
                    "recorded_at": start + timedelta(minutes=i),
                    "lon": round(x0 + (x1 - x0) * f, 6),
                    "lat": round(y0 + (y1 - y0) * f, 6),
                    "speed_kmh": Decimal(self.rng.randint(300, 850)) / 10,
                    "heading_deg": Decimal(round(heading)) % 360,
                    "vehicle_plate": manifest["carriers"][0]["vehicle_plate"],
                }
            )
        return out

    # -- ledger --------------------------------------------------------------------------------------
    def ledger(self, flows: int = 1, *, unit: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Ledger records in contract form: per flow, generate → store in → store out → outsource."""
        rng = self.rng
        site = unit or rng.choice(self.units)
        receiver = rng.choice([u for u in self.units if u is not site])
        out: list[dict[str, Any]] = []
        for _ in range(flows):
            self.serial += 1
            code, form, packaging, method, per_package = rng.choice(self.wastes)
            entry = self.catalogue.entries[code]
            day = datetime(self.year, 1, 1, 8, tzinfo=TZ) + timedelta(
                days=rng.randint(0, 300), minutes=rng.randint(0, 600)
            )
            count = rng.randint(1, 4)
            quantity = per_package * count if per_package == Decimal("0.2") else Decimal(rng.randint(50, 900)) / 1000
            common = {
                "unit_uscc": site["uscc"],
                "waste_name": entry.description[:40].rstrip("，、,"),
                "internal_name": rng.choice(("废液压油", "废抹布", "废包装桶", "污泥", "废活性炭", None)),
                "waste_category": entry.category,
                "waste_code": code,
                "form": form,
                "hazards": sorted(entry.hazards, key="TCIRIn".index),
                "quantity_t": quantity,
                "container_type": packaging,
                "container_count": count,
                "handler": self.person(),
            }
            n = self.serial % 1000
            ymd = f"{day:%Y%m%d}"
            gen = {"kind": "generate", "batch_code": f"HWCS{ymd}{n:03d}", "occurred_at": day, "facility_code": "TS001"}
            gen["label_ids"] = [
                DEFAULT_LABEL_SCHEME.compose(site["uscc"], code, day.date(), s) for s in range(1, count + 1)
            ]
            gen["destination"] = "危废暂存间"
            store_in = {
                "kind": "store_in",
                "batch_code": f"HWRK{ymd}{n:03d}",
                "occurred_at": day + timedelta(hours=1),
                "facility_code": "TS002",
                "facility_type": "贮存库",
                "upstream_batch_codes": [gen["batch_code"]],
            }
            store_out = {
                "kind": "store_out",
                "batch_code": f"HWCK{ymd}{n:03d}",
                "occurred_at": day + timedelta(days=10),
                "facility_code": "TS002",
                "facility_type": "贮存库",
                "upstream_batch_codes": [store_in["batch_code"]],
                "destination": receiver["name"],
            }
            outsource = {
                "kind": "outsource",
                "batch_code": f"HWWWCZ{ymd}{n:03d}" if method.startswith("D") else f"HWWWLY{ymd}{n:03d}",
                "occurred_at": day + timedelta(days=10, hours=2),
                "purpose": "disposal" if method.startswith("D") else "utilisation",
                "method": method,
                "receiver_type": "licensed",
                "receiver_name": receiver["name"],
                "receiver_uscc": receiver["uscc"],
                "receiver_license_no": f"{receiver['region_code'][:4]}OOD{rng.randint(100, 999)}",
                "upstream_batch_codes": [store_out["batch_code"]],
            }
            for rec in (gen, store_in, store_out, outsource):
                full = {**common, **rec}
                out.append({k: v for k, v in full.items() if v is not None})
        return out

    # -- operation record book and reports (licensed operators) --------------------------------------
    def operations(
        self,
        flows: int = 1,
        *,
        unit_uscc: str | None = None,
        license_no: str | None = None,
        month: int | None = None,
    ) -> list[dict[str, Any]]:
        """Operation records in contract form, in event order: per flow, receive → store → utilise or dispose.

        ``unit_uscc`` and ``license_no`` name the licensed unit (a generated unit and licence number
        by default; the national side accepts only a licence it knows, held by that unit). All events
        fall in ``month`` of the generator's year (a random month by default), so they can be reported.
        """
        rng = self.rng
        site = rng.choice(self.units) if unit_uscc is None else None
        uscc = site["uscc"] if site else str(unit_uscc)
        region = site["region_code"] if site else uscc[2:8]
        licence = license_no or f"{region[:4]}OOD{rng.randint(100, 999)}"
        month = month or rng.randint(1, 12)
        start = datetime(self.year, month, 1, 8, tzinfo=TZ)
        step = timedelta(minutes=(27 * 24 * 60) // max(flows, 1))
        operator = self.person()
        out: list[dict[str, Any]] = []
        for i in range(flows):
            self.serial += 1
            code, _form, _packaging, method, per_package = rng.choice(self.wastes)
            entry = self.catalogue.entries[code]
            source = rng.choice([u for u in self.units if u["uscc"] != uscc])
            quantity = per_package * rng.randint(1, 8)
            at = (start + step * i + timedelta(minutes=rng.randint(0, 30))).replace(second=0, microsecond=0)
            common = {
                "license_no": licence,
                "unit_uscc": uscc,
                "waste_code": code,
                "waste_category": entry.category,
                "waste_name": entry.description[:40].rstrip("，、,"),
                "operator": operator,
            }
            ym = f"{self.year}{month:02d}"
            receive = {
                "kind": "receive",
                "occurred_at": at,
                "quantity_t": quantity,
                "manifest_no": f"{self.year}{source['region_code'][:4]}{self.serial:06d}",
                "source_uscc": source["uscc"],
                "facility_code": "TS001",
            }
            store = {"kind": "store", "occurred_at": at + timedelta(minutes=30), "quantity_t": quantity}
            store["facility_code"] = "TS003"
            treated = quantity if rng.random() < 0.7 else (quantity / 2).quantize(Decimal("0.001"))
            treat = {
                "kind": "utilise" if method.startswith("R") else "dispose",
                "occurred_at": at + timedelta(hours=rng.randint(2, 20)),
                "quantity_t": treated,
                "facility_code": "TS101" if method.startswith("R") else "TS201",
                "method": method,
            }
            for n, rec in enumerate((receive, store, treat), start=1):
                out.append({"record_id": f"JY{ym}-{self.serial:04d}-{n}", **common, **rec})
        out.sort(key=lambda r: r["occurred_at"])
        return out

    def report(
        self,
        records: list[dict[str, Any]],
        *,
        period_type: str = "monthly",
        period: str | None = None,
        opening: dict[str, Decimal] | None = None,
        submitted_at: datetime | None = None,
    ) -> dict[str, Any]:
        """The operation report (contract form) whose figures are the sums of ``records`` in its period.

        ``period`` defaults to the month (or year) of the first record; ``opening`` gives the stock per
        waste code at the start of the period (random by default); the report is submitted a few days
        before it is due unless ``submitted_at`` says otherwise.
        """
        first = records[0]
        local = first["occurred_at"].astimezone(TZ)
        period = period or (f"{local.year}-{local.month:02d}" if period_type == "monthly" else f"{local.year}")
        sums: dict[str, dict[str, Decimal]] = {}
        for rec in records:
            at = rec["occurred_at"].astimezone(TZ)
            if f"{at.year}-{at.month:02d}"[: len(period)] != period or rec["license_no"] != first["license_no"]:
                continue
            figures = sums.setdefault(rec["waste_code"], {"receive": Decimal(0), "utilise": Decimal(0)})
            figures.setdefault("dispose", Decimal(0))
            if rec["kind"] in figures:
                figures[rec["kind"]] += rec["quantity_t"]
        lines = []
        for code in sorted(sums):
            f = sums[code]
            stock = (opening or {}).get(code, Decimal(self.rng.randint(0, 5000)) / 1000)
            closing = stock + f["receive"] - f["utilise"] - f["dispose"]
            if closing < 0:  # more treated than received and held: the stock held before covered it
                stock, closing = stock - closing, Decimal(0)
            line = {"waste_code": code, "opening_stock_t": stock, "received_t": f["receive"]}
            lines.append(line | {"utilised_t": f["utilise"], "disposed_t": f["dispose"], "closing_stock_t": closing})
        due = report_due_date(period_type, period)
        when = submitted_at or datetime(due.year, due.month, due.day, 16, 20, tzinfo=TZ) - timedelta(days=3)
        return {
            "license_no": first["license_no"],
            "unit_uscc": first["unit_uscc"],
            "period_type": period_type,
            "period": period,
            "submitted_at": when,
            "lines": lines,
        }

"""Reference system ``enterprise-csv``: a plant's ledger software that exports to a drop folder.

The "system" is its exports: one row per ledger record with Chinese headers, written as CSV in
UTF-8 (with or without BOM), GBK or GB18030, comma- or tab-separated, or as XLSX with real date
cells. Rows are rendered the ways operators type them: ``HW08/900-249-08``, ``90024908``,
``900－249－08``; kilograms, 吨, 公斤, t or counted drums; ``2024/3/18 9:00``; ``T,I`` or 毒性、易燃性.
``write_event`` appends one business event to today's export, as the plant's software does.

A licensed operator's software also keeps its operation record book (``经营记录-YYYYMM.csv``, one
row per entry, ``OPERATION_HEADERS``, appended by ``write_operation``) and files its reports
(``经营报表-<period>.csv``, one row per report, ``REPORT_HEADERS``, written by ``write_report``).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._generator import TZ

__all__ = [
    "HEADERS",
    "OPERATION_HEADERS",
    "REPORT_HEADERS",
    "csv_bytes",
    "render_operation_row",
    "render_report_row",
    "render_row",
    "write_csv",
    "write_event",
    "write_operation",
    "write_report",
    "write_xlsx",
]

HEADERS = (
    "台账类型",
    "统一社会信用代码",
    "批次编码",
    "发生时间",
    "废物名称",
    "行业俗称",
    "废物类别",
    "废物代码",
    "形态",
    "危险特性",
    "数量",
    "计量单位",
    "容器类型",
    "容器数量",
    "容器编码",
    "经办人",
    "设施编码",
    "设施类型",
    "去向",
    "来源批次",
    "利用处置方式",
    "完毕时间",
    "接收单位类型",
    "接收单位名称",
    "接收单位信用代码",
    "许可证编号",
    "联单编号",
)
OPERATION_HEADERS = (
    "记录编号",
    "许可证编号",
    "统一社会信用代码",
    "记录类型",
    "发生时间",
    "废物名称",
    "废物类别",
    "废物代码",
    "数量",
    "计量单位",
    "联单编号",
    "来源单位信用代码",
    "设施编码",
    "利用处置方式",
    "经办人",
)
REPORT_HEADERS = (
    "报告类型",
    "报告期",
    "许可证编号",
    "统一社会信用代码",
    "提交时间",
    "废物代码",
    "期初贮存量",
    "接收量",
    "利用量",
    "处置量",
    "期末贮存量",
    "计量单位",
)
_OPERATION = {"receive": ("接收", "收集"), "store": ("贮存", "入库"), "utilise": ("利用",), "dispose": ("处置",)}
_KIND = {"generate": "产生", "store_in": "入库", "store_out": "出库"}
_FORM = {"S": "固态", "SS": "半固态", "L": "液态", "G": "气态"}
_HAZARD = {"T": "毒性", "C": "腐蚀性", "I": "易燃性", "R": "反应性", "In": "感染性"}
_RECEIVER = {"licensed": "持证单位", "exempt": "豁免单位", "overseas": "境外单位"}
_DRUM = Decimal("0.2")


def _kind(rec: dict[str, Any]) -> str:
    if rec["kind"] in _KIND:
        return _KIND[rec["kind"]]
    prefix = "自行" if rec["kind"] == "self_process" else "委外"
    return prefix + ("利用" if rec["purpose"] == "utilisation" else "处置")


def _plain(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _quantity(q: Decimal, rng: random.Random, container: str, count: int) -> tuple[str, str]:
    if container == "200L钢桶" and q == _DRUM * count and rng.random() < 0.5:
        return str(count), "桶"
    unit = rng.choice(("kg", "吨", "公斤", "t", "千克"))
    if unit in ("吨", "t"):
        return _plain(q), unit
    return _plain(q * 1000), unit


def _code(code: str, category: str, rng: random.Random) -> str:
    forms = (code, f"{category}/{code}", code.replace("-", ""), code.replace("-", "－"), code.replace("-", "—"))
    return rng.choice(forms)


def _time(value: datetime, rng: random.Random) -> str:
    local = value.astimezone(TZ)
    if rng.random() < 0.5 and local.second == 0:
        return f"{local.year}/{local.month}/{local.day} {local.hour}:{local.minute:02d}"
    return local.strftime("%Y-%m-%d %H:%M:%S")


def render_row(rec: dict[str, Any], seed: int = 0) -> dict[str, str]:
    """A contract-form ledger record as one export row (every header present, empty when unused)."""
    rng = random.Random(f"{seed}/{rec['kind']}/{rec['batch_code']}")
    quantity, unit = _quantity(rec["quantity_t"], rng, rec["container_type"], rec["container_count"])
    hazards = rec["hazards"]
    row = {
        "台账类型": _kind(rec),
        "统一社会信用代码": rec["unit_uscc"],
        "批次编码": rec["batch_code"],
        "发生时间": _time(rec["occurred_at"], rng),
        "废物名称": rec["waste_name"],
        "行业俗称": rec.get("internal_name") or "",
        "废物类别": rec["waste_category"] if rng.random() < 0.7 else rec["waste_category"][2:],
        "废物代码": _code(rec["waste_code"], rec["waste_category"], rng),
        "形态": rec["form"] if rng.random() < 0.5 else _FORM[rec["form"]],
        "危险特性": rng.choice((",", "/", "、")).join(hazards)
        if rng.random() < 0.6
        else "、".join(_HAZARD[h] for h in hazards),
        "数量": quantity,
        "计量单位": unit,
        "容器类型": rec["container_type"],
        "容器数量": str(rec["container_count"]),
        "容器编码": ";".join(rec.get("label_ids", [])),
        "经办人": rec["handler"],
        "设施编码": rec.get("facility_code", ""),
        "设施类型": rec.get("facility_type", ""),
        "去向": rec.get("destination", ""),
        "来源批次": ";".join(rec.get("upstream_batch_codes", [])),
        "利用处置方式": rec.get("method", ""),
        "完毕时间": _time(rec["completed_at"], rng) if rec.get("completed_at") else "",
        "接收单位类型": _RECEIVER.get(rec.get("receiver_type", ""), ""),
        "接收单位名称": rec.get("receiver_name", ""),
        "接收单位信用代码": rec.get("receiver_uscc", ""),
        "许可证编号": rec.get("receiver_license_no", ""),
        "联单编号": rec.get("manifest_no", ""),
    }
    return row


def render_operation_row(rec: dict[str, Any], seed: int = 0) -> dict[str, str]:
    """A contract-form operation record as one row of the record book export (``OPERATION_HEADERS``)."""
    rng = random.Random(f"{seed}/{rec['license_no']}/{rec['record_id']}")
    q = rec["quantity_t"]
    quantity, unit = (_plain(q), rng.choice(("吨", "t"))) if rng.random() < 0.6 else (_plain(q * 1000), "kg")
    return {
        "记录编号": rec["record_id"],
        "许可证编号": rec["license_no"],
        "统一社会信用代码": rec["unit_uscc"],
        "记录类型": rng.choice(_OPERATION[rec["kind"]]),
        "发生时间": _time(rec["occurred_at"], rng),
        "废物名称": rec["waste_name"],
        "废物类别": rec["waste_category"],
        "废物代码": _code(rec["waste_code"], rec["waste_category"], rng),
        "数量": quantity,
        "计量单位": unit,
        "联单编号": rec.get("manifest_no") or "",
        "来源单位信用代码": rec.get("source_uscc") or "",
        "设施编码": rec.get("facility_code") or "",
        "利用处置方式": rec.get("method") or "",
        "经办人": rec["operator"],
    }


def _period(period: str, rng: random.Random) -> str:
    if len(period) == 4:
        return rng.choice((period, f"{period}年"))
    year, month = period.split("-")
    return rng.choice((period, f"{year}{month}", f"{year}年{int(month)}月"))


def render_report_row(rep: dict[str, Any], seed: int = 0) -> dict[str, str]:
    """A contract-form operation report as one export row (``REPORT_HEADERS``).

    Each figure column lists the values of the report's waste codes in order, separated by ``；``,
    all in one unit (吨 or kg).
    """
    rng = random.Random(f"{seed}/{rep['license_no']}/{rep['period']}")
    kg = rng.random() < 0.3

    def column(name: str) -> str:
        return "；".join(_plain(line[name] * 1000 if kg else line[name]) for line in rep["lines"])

    return {
        "报告类型": "月报" if rep["period_type"] == "monthly" else "年报",
        "报告期": _period(rep["period"], rng),
        "许可证编号": rep["license_no"],
        "统一社会信用代码": rep["unit_uscc"],
        "提交时间": _time(rep["submitted_at"], rng),
        "废物代码": "；".join(line["waste_code"] for line in rep["lines"]),
        "期初贮存量": column("opening_stock_t"),
        "接收量": column("received_t"),
        "利用量": column("utilised_t"),
        "处置量": column("disposed_t"),
        "期末贮存量": column("closing_stock_t"),
        "计量单位": "kg" if kg else "吨",
    }


def csv_bytes(
    rows: Iterable[dict[str, str]],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    delimiter: str = ",",
    headers: Sequence[str] = HEADERS,
) -> bytes:
    """Rows as the bytes of a CSV export (Windows line ends, as exports have them) under ``headers``."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headers])
    text = buf.getvalue()
    # A BOM is U+FEFF in the file's own encoding: EF BB BF in UTF-8, 84 31 95 33 in GB18030.
    return (("\ufeff" + text) if bom else text).encode(encoding)


def write_csv(
    path: Path,
    rows: Iterable[dict[str, str]],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    delimiter: str = ",",
    headers: Sequence[str] = HEADERS,
) -> Path:
    """Write an export file (``headers``: ``HEADERS``, ``OPERATION_HEADERS`` or ``REPORT_HEADERS``)."""
    path.write_bytes(csv_bytes(rows, encoding=encoding, bom=bom, delimiter=delimiter, headers=headers))
    return path


def write_xlsx(path: Path, records: Sequence[dict[str, Any]], *, sheet: str = "危废台账") -> Path:
    """Write records as an XLSX export: dates as date cells, quantities in kg as numbers."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    ws.append(HEADERS)
    for rec in records:
        row: dict[str, Any] = render_row(rec)
        row["发生时间"] = rec["occurred_at"].astimezone(TZ).replace(tzinfo=None)
        row["数量"], row["计量单位"] = float(rec["quantity_t"] * 1000), "kg"
        row["容器数量"] = rec["container_count"]
        ws.append([row.get(h) if row.get(h) != "" else None for h in HEADERS])
    book.save(path)
    return path


def _append(path: Path, row: dict[str, str], headers: Sequence[str], encoding: str) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if not path.exists():
        writer.writerow(headers)
    writer.writerow([row.get(h, "") for h in headers])
    with path.open("ab") as fh:
        fh.write(buf.getvalue().encode(encoding))
    return path


def write_event(folder: Path, record: dict[str, Any], *, encoding: str = "gb18030", day: str | None = None) -> Path:
    """Append one ledger record to the day's export (``台账导出-YYYYMMDD.csv``), creating it with a header."""
    name = f"台账导出-{day or record['occurred_at'].astimezone(TZ).strftime('%Y%m%d')}.csv"
    return _append(folder / name, render_row(record), HEADERS, encoding)


def write_operation(
    folder: Path, record: dict[str, Any], *, encoding: str = "gb18030", month: str | None = None
) -> Path:
    """Append one operation record to the month's record book export (``经营记录-YYYYMM.csv``)."""
    name = f"经营记录-{month or record['occurred_at'].astimezone(TZ).strftime('%Y%m')}.csv"
    return _append(folder / name, render_operation_row(record), OPERATION_HEADERS, encoding)


def write_report(folder: Path, report: dict[str, Any], *, encoding: str = "gb18030") -> Path:
    """Append one operation report to its export (``经营报表-YYYYMM.csv`` or ``经营报表-YYYY.csv``)."""
    name = f"经营报表-{report['period'].replace('-', '')}.csv"
    return _append(folder / name, render_report_row(report), REPORT_HEADERS, encoding)

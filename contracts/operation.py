"""Electronic operation record books (电子经营情况记录簿) of licensed units, and their reports."""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ._base import (
    CATALOGUE,
    LICENCE_RULES,
    LOG_GUIDE,
    Category,
    ContractModel,
    ManifestNo,
    Method,
    Name,
    PositiveTonnes,
    ShortCode,
    Timestamp,
    Tonnes,
    Uscc,
    WasteCode,
    field,
)

RecordId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_\-]+$")]
Period = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$")]


class OperationKind(enum.StrEnum):
    """What an operation record books: receipt, storage, utilisation or disposal."""

    RECEIVE = "receive"
    STORE = "store"
    UTILISE = "utilise"
    DISPOSE = "dispose"


class OperationRecord(ContractModel):
    """One entry of a licensed unit's operation record book."""

    record_id: RecordId = field("记录编号", "Identifier of the entry in the book", LOG_GUIDE)
    license_no: ShortCode = field("许可证编号", "Licence under which the unit operates", LICENCE_RULES + " 第十八条")
    unit_uscc: Uscc = field("经营单位统一社会信用代码", "Credit code of the licensed unit", LICENCE_RULES + " 第十八条")
    kind: OperationKind = field("记录类型", "Receipt, storage, utilisation or disposal", LOG_GUIDE)
    occurred_at: Timestamp = field("发生时间", "When the operation happened", LOG_GUIDE)
    waste_code: WasteCode = field("废物代码", "Eight-digit waste code", CATALOGUE)
    waste_category: Category = field("废物类别", "Waste category HWxx", CATALOGUE)
    waste_name: Name = field("废物名称", "Waste name", LOG_GUIDE)
    quantity_t: PositiveTonnes = field("数量（吨）", "Quantity in tonnes", LOG_GUIDE)
    manifest_no: ManifestNo | None = field("联单编号", "Manifest of a receipt", LOG_GUIDE, default=None)
    source_uscc: Uscc | None = field("来源单位代码", "Where a received waste came from", LOG_GUIDE, default=None)
    facility_code: str | None = field("设施编码", "Facility used", LOG_GUIDE, default=None, max_length=40)
    method: Method | None = field("利用处置方式", "Method of utilisation or disposal", LOG_GUIDE, default=None)
    operator: Name = field("经办人", "Person who signed the entry", LOG_GUIDE)


class ReportLine(ContractModel):
    """Totals for one waste code over a report's period."""

    waste_code: WasteCode = field("废物代码", "Eight-digit waste code", CATALOGUE)
    opening_stock_t: Tonnes = field("期初贮存量（吨）", "Stock at the start of the period", LOG_GUIDE)
    received_t: Tonnes = field("接收量（吨）", "Received in the period", LOG_GUIDE)
    utilised_t: Tonnes = field("利用量（吨）", "Utilised in the period", LOG_GUIDE)
    disposed_t: Tonnes = field("处置量（吨）", "Disposed of in the period", LOG_GUIDE)
    closing_stock_t: Tonnes = field("期末贮存量（吨）", "Stock at the end of the period", LOG_GUIDE)


class OperationReport(ContractModel):
    """A monthly (due the 15th of the next month) or annual (due the end of January) operation report."""

    license_no: ShortCode = field("许可证编号", "Licence reported on", LICENCE_RULES + " 第十八条")
    unit_uscc: Uscc = field("经营单位统一社会信用代码", "Credit code of the licensed unit", LICENCE_RULES + " 第十八条")
    period_type: Literal["monthly", "annual"] = field("报告类型", "Monthly or annual report", LOG_GUIDE)
    period: Period = field("报告期", "YYYY-MM for a monthly report, YYYY for an annual one", LOG_GUIDE)
    submitted_at: Timestamp = field("提交时间", "When the report was submitted", LOG_GUIDE)
    lines: list[ReportLine] = Field(
        title="分废物汇总", description="Totals per waste code [" + LOG_GUIDE + "]", min_length=1, max_length=500
    )

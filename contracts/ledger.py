"""Electronic management ledger records (电子管理台账) per HJ 1259-2022 §6 and Annex B.

One model per record type; ``LedgerRecord`` is their union, told apart by ``kind``.
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ._base import (
    CATALOGUE,
    HJ_1259,
    Category,
    ContractModel,
    Form,
    Hazard,
    LabelId,
    ManifestNo,
    Method,
    Name,
    PositiveTonnes,
    ShortCode,
    Timestamp,
    Uscc,
    field,
    hazards_field,
)
from ._base import WasteCode as _WasteCode

BatchCode = Annotated[str, StringConstraints(min_length=3, max_length=40, pattern=r"^[0-9A-Za-z_\-]+$")]
FacilityCode = Annotated[str, StringConstraints(min_length=2, max_length=40, pattern=r"^[0-9A-Za-z_\-]+$")]


class LedgerKind(enum.StrEnum):
    """The five record types of HJ 1259 Annex B."""

    GENERATE = "generate"  # 产生
    STORE_IN = "store_in"  # 入库
    STORE_OUT = "store_out"  # 出库
    SELF_PROCESS = "self_process"  # 自行利用/处置
    OUTSOURCE = "outsource"  # 委外利用/处置


class Purpose(enum.StrEnum):
    """Whether waste is utilised (利用) or disposed of (处置)."""

    UTILISATION = "utilisation"
    DISPOSAL = "disposal"


class ReceiverType(enum.StrEnum):
    """接收单位类型 of an outsourced record (HJ 1259 Annex A table A.7)."""

    LICENSED = "licensed"  # 持证单位
    EXEMPT = "exempt"  # 豁免单位
    OVERSEAS = "overseas"  # 境外单位


class _LedgerBase(ContractModel):
    """Fields every ledger record carries: the unit, the batch, the waste and its containers."""

    unit_uscc: Uscc = field("单位统一社会信用代码", "Credit code of the unit keeping the ledger", HJ_1259 + " 附录B")
    batch_code: BatchCode = field("批次编码", "Batch code of this record (e.g. HWCS20240315001)", HJ_1259 + " 附录B")
    occurred_at: Timestamp = field("发生时间", "When the event happened (with offset)", HJ_1259 + " 附录B")
    waste_name: Name = field("名录名称", "Waste name as in the catalogue", HJ_1259 + " 附录B")
    internal_name: str | None = field(
        "行业俗称/单位内部名称", "Trade or internal name", HJ_1259 + " 附录B", default=None, max_length=200
    )
    waste_category: Category = field("废物类别", "Waste category HWxx", CATALOGUE)
    waste_code: _WasteCode = field("废物代码", "Eight-digit waste code", CATALOGUE)
    form: Form = field("废物形态", "Physical form", HJ_1259 + " 附录B")
    hazards: list[Hazard] = hazards_field(HJ_1259 + " 附录B")
    quantity_t: PositiveTonnes = field("数量（吨）", "Quantity in tonnes", HJ_1259 + " 5.3")
    container_type: Name = field("容器/包装类型", "Container or packaging type", HJ_1259 + " 附录B")
    container_count: int = field("容器/包装数量", "Number of containers", HJ_1259 + " 附录B", ge=0, le=100000)
    label_ids: list[LabelId] = field(
        "容器/包装编码",
        "Label ids (数字识别码) of the containers",
        HJ_1259 + " 附录B",
        default_factory=list,
        max_length=1000,
    )
    handler: Name = field("经办人", "Person who handled the event", HJ_1259 + " 附录B")


class GenerateRecord(_LedgerBase):
    """产生 record: waste generated at a facility."""

    kind: Literal["generate"] = field("记录类型", "Record type", HJ_1259 + " 附录B 表B.1")
    facility_code: FacilityCode = field("产生设施编码", "Generating facility code", HJ_1259 + " 附录B 表B.1")
    destination: str | None = field("去向", "Where the waste goes next", HJ_1259 + " 附录B 表B.1", default=None)


class StoreInRecord(_LedgerBase):
    """入库 record: waste put into a store."""

    kind: Literal["store_in"] = field("记录类型", "Record type", HJ_1259 + " 附录B 表B.2")
    facility_code: FacilityCode = field("贮存设施编码", "Storage facility code", HJ_1259 + " 附录B 表B.2")
    facility_type: Name = field("贮存设施类型", "Storage facility type", HJ_1259 + " 附录B 表B.2")
    upstream_batch_codes: list[BatchCode] = field(
        "产生批次编码", "Generation batches stored", HJ_1259 + " 附录B 表B.2", min_length=1, max_length=1000
    )


class StoreOutRecord(_LedgerBase):
    """出库 record: waste taken out of a store."""

    kind: Literal["store_out"] = field("记录类型", "Record type", HJ_1259 + " 附录B 表B.3")
    facility_code: FacilityCode = field("贮存设施编码", "Storage facility code", HJ_1259 + " 附录B 表B.3")
    facility_type: Name = field("贮存设施类型", "Storage facility type", HJ_1259 + " 附录B 表B.3")
    upstream_batch_codes: list[BatchCode] = field(
        "入库批次编码", "Store-in batches taken out", HJ_1259 + " 附录B 表B.3", min_length=1, max_length=1000
    )
    destination: str | None = field("去向", "Where the waste goes", HJ_1259 + " 附录B 表B.3", default=None)


class SelfProcessRecord(_LedgerBase):
    """自行利用/处置 record: waste utilised or disposed of in the unit's own facility."""

    kind: Literal["self_process"] = field("记录类型", "Record type", HJ_1259 + " 附录B 表B.4")
    purpose: Purpose = field("利用/处置", "Utilisation or disposal", HJ_1259 + " 附录B 表B.4")
    facility_code: FacilityCode = field("利用/处置设施编码", "Facility code", HJ_1259 + " 附录B 表B.4")
    method: Method = field("利用/处置方式", "Method code (R/D/C)", HJ_1259 + " 附录B 表B.4")
    completed_at: Timestamp | None = field(
        "完毕时间", "When processing finished", HJ_1259 + " 附录B 表B.4", default=None
    )
    upstream_batch_codes: list[BatchCode] = field(
        "产生/出库批次编码",
        "Generation or store-out batches processed",
        HJ_1259 + " 附录B 表B.4",
        min_length=1,
        max_length=1000,
    )


class OutsourceRecord(_LedgerBase):
    """委外利用/处置 record: waste shipped to another unit (or abroad) for utilisation or disposal."""

    kind: Literal["outsource"] = field("记录类型", "Record type", HJ_1259 + " 附录B 表B.5")
    purpose: Purpose = field("利用/处置", "Utilisation or disposal", HJ_1259 + " 附录B 表B.5")
    method: Method = field("利用/处置方式", "Method code (R/D/C)", HJ_1259 + " 附录B 表B.5")
    receiver_type: ReceiverType = field("接收单位类型", "Licensed, exempt or overseas", HJ_1259 + " 附录B 表B.5")
    receiver_name: Name = field("接收单位名称", "Name of the receiver", HJ_1259 + " 附录B 表B.5")
    receiver_uscc: Uscc | None = field(
        "接收单位统一社会信用代码", "Credit code of a domestic receiver", HJ_1259 + " 附录B 表B.5", default=None
    )
    receiver_license_no: ShortCode | None = field(
        "许可证编码/出口核准通知单编号",
        "Receiver's licence or export notice number",
        HJ_1259 + " 附录B 表B.5",
        default=None,
    )
    manifest_no: ManifestNo | None = field(
        "联单编号", "National manifest number of the shipment", HJ_1259 + " 附录B 表B.5", default=None
    )
    upstream_batch_codes: list[BatchCode] = field(
        "产生/出库批次编码",
        "Generation or store-out batches shipped",
        HJ_1259 + " 附录B 表B.5",
        min_length=1,
        max_length=1000,
    )


LedgerRecord = Annotated[
    GenerateRecord | StoreInRecord | StoreOutRecord | SelfProcessRecord | OutsourceRecord,
    Field(discriminator="kind"),
]
"""Any ledger record; ``kind`` selects the model."""

"""Electronic hazardous-waste labels (电子标签) per HJ 1276-2022."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from ._base import (
    CATALOGUE,
    HJ_1276,
    Category,
    Contact,
    ContractModel,
    Form,
    Hazard,
    LabelId,
    Name,
    PositiveTonnes,
    Text,
    Timestamp,
    Uscc,
    WasteCode,
    field,
    hazards_field,
)

QrPayload = Annotated[str, StringConstraints(min_length=1, max_length=512, pattern=r"^https?://\S+$")]


class LabelRequest(ContractModel):
    """What a unit states about a container when it asks the national system for a label code."""

    waste_name: Name = field("废物名称", "Waste name as in the catalogue or the plan", HJ_1276 + " 5.2")
    waste_category: Category = field("废物类别", "Waste category HWxx", CATALOGUE)
    waste_code: WasteCode = field("废物代码", "Eight-digit waste code NNN-NNN-NN", CATALOGUE)
    form: Form = field("废物形态", "Physical form S/SS/L/G", HJ_1276 + " 5.2")
    hazards: list[Hazard] = hazards_field(HJ_1276 + " 5.2")
    main_components: Text = field("主要成分", "Main components", HJ_1276 + " 5.2")
    harmful_components: Text = field("有害成分", "Harmful components", HJ_1276 + " 5.2")
    precautions: Text = field("注意事项", "Handling precautions", HJ_1276 + " 5.2")
    producer_uscc: Uscc = field(
        "产生/收集单位代码", "Credit code of the producing or collecting unit", HJ_1276 + " 5.2"
    )
    producer_name: Name = field("产生/收集单位", "Name of the producing or collecting unit", HJ_1276 + " 5.2")
    contact: Contact = field("联系人和联系方式", "Contact person and telephone", HJ_1276 + " 5.2")
    produced_date: date = field("产生日期", "Date the waste was produced or collected", HJ_1276 + " 5.2")
    weight_t: PositiveTonnes = field("废物重量（吨）", "Net waste weight in tonnes", HJ_1276 + " 5.2")
    container_type: Name = field("容器类型", "Container or packaging type (drum, bag, IBC...)", HJ_1276 + " 5.3")
    container_volume_l: Decimal = Field(
        title="容器容积（升）",
        description="Container volume in litres; chooses the label size class [" + HJ_1276 + " 5.3]",
        gt=0,
        max_digits=12,
        decimal_places=3,
        allow_inf_nan=False,
    )
    remarks: str | None = field("备注", "Remarks", HJ_1276 + " 5.2", default=None, max_length=500)


class Label(LabelRequest):
    """A container label: the unit's statements plus the 数字识别码 and QR payload issued nationally."""

    label_id: LabelId = field(
        "数字识别码",
        "37-character digital identification code (unit, waste code, date, sequence)",
        HJ_1276 + " 附录A",
    )
    qr_payload: QrPayload = field(
        "二维码内容", "URL the QR code encodes; resolves to the label record", HJ_1276 + " 5.2"
    )
    issued_at: Timestamp | None = field(
        "赋码时间", "When the national system issued the code", HJ_1276 + " 附录A", default=None
    )

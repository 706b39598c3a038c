"""Cross-province transfer approvals (跨省转移审批) per 部令第23号 Arts. 21–28."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from ._base import (
    ORDER_23,
    ContractModel,
    PositiveTonnes,
    ProvinceCode,
    ShortCode,
    Uscc,
    WasteCode,
    field,
)


class ApprovalItem(ContractModel):
    """One approved waste line of a cross-province transfer approval."""

    waste_code: WasteCode = field("废物代码", "Approved waste code", ORDER_23 + " 第二十五条")
    approved_t: PositiveTonnes = field("批准转移量（吨）", "Approved quantity in tonnes", ORDER_23 + " 第二十五条")


class TransferApproval(ContractModel):
    """A cross-province transfer approval (跨省转移审批)."""

    number: ShortCode = field("批准文号", "Approval number", ORDER_23 + " 第二十五条")
    origin_province: ProvinceCode = field("移出省份代码", "Province code of the origin", ORDER_23 + " 第二十一条")
    receiving_province: ProvinceCode = field("接受省份代码", "Province code of the receiver", ORDER_23 + " 第二十一条")
    shipper_uscc: Uscc = field("移出人统一社会信用代码", "Credit code of the shipper", ORDER_23 + " 第二十五条")
    receiver_uscc: Uscc = field("接受人统一社会信用代码", "Credit code of the receiver", ORDER_23 + " 第二十五条")
    items: list[ApprovalItem] = Field(
        title="批准废物",
        description="Approved codes and tonnage [" + ORDER_23 + " 第二十五条]",
        min_length=1,
        max_length=100,
    )
    valid_from: date = field("有效期起", "First day of validity", ORDER_23 + " 第二十六条")
    valid_to: date = field("有效期止", "Last day of validity (at most 12 months)", ORDER_23 + " 第二十六条")

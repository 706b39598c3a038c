"""Hazardous-waste operating licences (危险废物经营许可证)."""

from __future__ import annotations

import enum
from datetime import date

from ._base import (
    LICENCE_RULES,
    Category,
    ContractModel,
    Method,
    Name,
    PositiveTonnes,
    ShortCode,
    Uscc,
    WasteCode,
    field,
)


class LicenseType(enum.StrEnum):
    """经营许可证 types: comprehensive (综合) or collection only (收集)."""

    COMPREHENSIVE = "comprehensive"
    COLLECTION = "collection"


class LicenseStatus(enum.StrEnum):
    """Status of a licence in the national register."""

    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


class License(ContractModel):
    """A hazardous-waste operating licence (危险废物经营许可证)."""

    number: ShortCode = field("许可证编号", "Licence number (free text; no national format)", LICENCE_RULES + " 第五条")
    holder_uscc: Uscc = field("持证单位统一社会信用代码", "Credit code of the holder", LICENCE_RULES + " 第五条")
    holder_name: Name = field("持证单位名称", "Legal name of the holder", LICENCE_RULES + " 第五条")
    license_type: LicenseType = field("许可证类型", "Comprehensive or collection licence", LICENCE_RULES + " 第三条")
    categories: list[Category] = field(
        "核准经营类别",
        "Permitted waste categories (HWxx); a category permits all its codes",
        LICENCE_RULES + " 第五条",
        default_factory=list,
        max_length=50,
    )
    codes: list[WasteCode] = field(
        "核准废物代码",
        "Permitted individual waste codes",
        LICENCE_RULES + " 第五条",
        default_factory=list,
        max_length=1000,
    )
    methods: list[Method] = field(
        "核准经营方式", "Permitted utilisation/disposal methods", LICENCE_RULES + " 第五条", min_length=1
    )
    annual_scale_t: PositiveTonnes = field(
        "年经营规模（吨）", "Approved annual scale in tonnes", LICENCE_RULES + " 第五条"
    )
    valid_from: date = field("有效期起", "First day of validity", LICENCE_RULES + " 第十二条")
    valid_to: date = field("有效期止", "Last day of validity", LICENCE_RULES + " 第十二条")
    status: LicenseStatus = field("状态", "Register status of the licence", LICENCE_RULES)

"""Shared building blocks of the contract models: the base class, the field helper and common types.

Every field carries a Chinese title and an English description that names the clause of the
standard it comes from; the OpenAPI document and the error messages are built from them.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

CONTRACT_VERSION = "2024.1"

# Clause references used in field descriptions.
ORDER_23 = "部令第23号"  # 危险废物转移管理办法
HJ_1259 = "HJ 1259-2022"  # 管理计划和管理台账制定技术导则
HJ_1276 = "HJ 1276-2022"  # 危险废物识别标志设置技术规范
CATALOGUE = "名录"  # 国家危险废物名录
GB_32100 = "GB 32100-2015"
GB_2260 = "GB/T 2260"
LICENCE_RULES = "国务院令第408号"  # 危险废物经营许可证管理办法
LOG_GUIDE = "公告2009年第55号"  # 经营单位记录和报告经营情况指南
GA_36 = "GA 36-2018"
HJ_608 = "HJ 608-2017"


def field(zh: str, en: str, clause: str, **kwargs: Any) -> Any:
    """A pydantic ``Field`` with a Chinese title and an English description naming its clause."""
    return Field(title=zh, description=f"{en} [{clause}]", **kwargs)


class ContractModel(BaseModel):
    """Base of every contract model: unknown fields are refused, strings are not coerced from numbers."""

    # Caching only keys: values such as label ids and timestamps are nearly all distinct, so caching
    # them costs more than it saves.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, validate_default=False, cache_strings="keys")


# --- identifier and code types: structural patterns only; check digits and code lists live in
# contracts.identifiers so that structural validation stays in pydantic-core's compiled path.
USCC_RE = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
WASTE_CODE_RE = r"^[0-9]{3}-[0-9]{3}-[0-9]{2}$"
CATEGORY_RE = r"^HW[0-9]{2}$"
REGION_RE = r"^[0-9]{6}$"
PROVINCE_RE = r"^[0-9]{2}$"
MANIFEST_NO_RE = r"^[0-9]{14}$"
PHONE_RE = r"^[0-9+\-() ]{5,32}$"

Uscc = Annotated[str, StringConstraints(pattern=USCC_RE)]
WasteCode = Annotated[str, StringConstraints(pattern=WASTE_CODE_RE)]
Category = Annotated[str, StringConstraints(pattern=CATEGORY_RE)]
RegionCode = Annotated[str, StringConstraints(pattern=REGION_RE)]
ProvinceCode = Annotated[str, StringConstraints(pattern=PROVINCE_RE)]
ManifestNo = Annotated[str, StringConstraints(pattern=MANIFEST_NO_RE)]
Phone = Annotated[str, StringConstraints(pattern=PHONE_RE)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
ShortCode = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^\S+$")]
LabelId = Annotated[str, StringConstraints(min_length=37, max_length=37, pattern=r"^[0-9A-Z]{37}$")]
Plate = Annotated[str, StringConstraints(min_length=7, max_length=9)]

# Quantities are tonnes with at most 6 decimal places: HJ 1259 reports tonnes, and 6 places keep grams.
# In JSON they are always written with six places ("1.250000"), so that equal quantities have one
# text and digests over canonical JSON agree whatever form a system sent. This is done when
# serialising, not when validating: validation is the hot path of every check.
_GRAM = Decimal("0.000001")


def _tonnes_text(value: Decimal) -> str:
    return format(value.quantize(_GRAM), "f")


_AS_TEXT = PlainSerializer(_tonnes_text, return_type=str, when_used="json")
Tonnes = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6, allow_inf_nan=False), _AS_TEXT]
PositiveTonnes = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=6, allow_inf_nan=False), _AS_TEXT]
# Naive times are refused: every timestamp must say its offset. The range keeps arithmetic in local
# time (offsets, next-day and next-year due dates) away from the ends of the calendar.
EARLIEST = datetime(1980, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
Timestamp = Annotated[AwareDatetime, Field(ge=EARLIEST, lt=LATEST)]


class Form(enum.StrEnum):
    """废物形态 (physical form), as the code tables in practice use it."""

    SOLID = "S"
    SEMI_SOLID = "SS"
    LIQUID = "L"
    GAS = "G"


class Hazard(enum.StrEnum):
    """危险特性 (hazard characteristic) of the national catalogue."""

    TOXICITY = "T"
    CORROSIVITY = "C"
    IGNITABILITY = "I"
    REACTIVITY = "R"
    INFECTIVITY = "In"


# 利用/处置方式 codes: R (utilisation), D (disposal), C (co-processing and cleaning); HJ 1259 points to
# HJ 1033 Annex F, whose full text is not public here, so the ranges are those the issue fixes.
class Method(enum.StrEnum):
    """利用处置方式代码: R1–R15 utilisation, D1–D16 disposal, C1–C3 co-processing and cleaning."""

    R1 = "R1"  # fuel or other energy use
    R2 = "R2"  # solvent recovery
    R3 = "R3"  # recycling of organic substances
    R4 = "R4"  # recycling of metals
    R5 = "R5"  # recycling of other inorganic materials
    R6 = "R6"  # regeneration of acids or bases
    R7 = "R7"  # recovery of pollution-abatement components
    R8 = "R8"  # recovery of catalyst components
    R9 = "R9"  # re-refining of used oil
    R10 = "R10"
    R11 = "R11"
    R12 = "R12"
    R13 = "R13"
    R14 = "R14"
    R15 = "R15"  # other utilisation
    D1 = "D1"  # landfill
    D2 = "D2"
    D3 = "D3"
    D4 = "D4"
    D5 = "D5"
    D6 = "D6"
    D7 = "D7"
    D8 = "D8"
    D9 = "D9"  # physico-chemical treatment
    D10 = "D10"  # incineration
    D11 = "D11"
    D12 = "D12"
    D13 = "D13"
    D14 = "D14"
    D15 = "D15"
    D16 = "D16"  # other disposal
    C1 = "C1"  # co-processing in cement kilns
    C2 = "C2"  # production of building materials
    C3 = "C3"  # cleaning of containers


class Contact(ContractModel):
    """联系人和联系方式."""

    person: Name = field("联系人", "Contact person", HJ_1259)
    phone: Phone = field("联系电话", "Contact telephone number", HJ_1259)


def hazards_field(clause: str = CATALOGUE) -> Any:
    """Field for a non-empty, duplicate-free list of hazard characteristics."""
    return field("危险特性", "Hazard characteristics (T, C, I, R, In)", clause, min_length=1, max_length=5)


__all__ = [
    "CONTRACT_VERSION",
    "Category",
    "Contact",
    "ContractModel",
    "Form",
    "Hazard",
    "LabelId",
    "ManifestNo",
    "Method",
    "Name",
    "Phone",
    "Plate",
    "PositiveTonnes",
    "ProvinceCode",
    "RegionCode",
    "ShortCode",
    "Text",
    "Timestamp",
    "Tonnes",
    "Uscc",
    "WasteCode",
    "field",
]

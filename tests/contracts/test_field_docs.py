"""Every field of every resource carries a Chinese title and an English description naming its clause."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from contracts import (
    ApprovalItem,
    Carrier,
    Contact,
    GenerateRecord,
    Label,
    License,
    Manifest,
    ManifestItem,
    OperationRecord,
    OperationReport,
    OutsourceRecord,
    Party,
    ReportLine,
    SelfProcessRecord,
    StoreInRecord,
    StoreOutRecord,
    TrackBatch,
    TrackPoint,
    TransferApproval,
    Unit,
)

RESOURCES: list[type[BaseModel]] = [
    Unit,
    License,
    TransferApproval,
    ApprovalItem,
    Label,
    GenerateRecord,
    StoreInRecord,
    StoreOutRecord,
    SelfProcessRecord,
    OutsourceRecord,
    Manifest,
    ManifestItem,
    Party,
    Carrier,
    Contact,
    TrackPoint,
    TrackBatch,
    OperationRecord,
    OperationReport,
    ReportLine,
]
CJK = re.compile(r"[\u4e00-\u9fff]")
CLAUSE = re.compile(
    r"\[(部令第23号|HJ 1259-2022|HJ 1276-2022|名录|GB 32100-2015|GB/T 2260|国务院令第408号|公告2009年第55号)[^\]]*\]$"
)


@pytest.mark.parametrize("model", RESOURCES, ids=lambda m: m.__name__)
def test_every_field_has_a_chinese_title_and_a_clause(model: type[BaseModel]) -> None:
    for name, info in model.model_fields.items():
        assert info.title and CJK.search(info.title), f"{model.__name__}.{name} has no Chinese title"
        assert info.description and CLAUSE.search(info.description), f"{model.__name__}.{name}: {info.description!r}"
        english = CLAUSE.sub("", info.description).strip()
        # English prose, which may quote a Chinese term in passing.
        latin = re.sub(r"[^A-Za-z]", "", english)
        assert len(latin) >= 0.6 * len(re.sub(r"\W", "", english)), f"{model.__name__}.{name}: {english!r}"


@pytest.mark.parametrize("model", RESOURCES, ids=lambda m: m.__name__)
def test_json_field_names_are_snake_case_english(model: type[BaseModel]) -> None:
    for name in model.model_fields:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name

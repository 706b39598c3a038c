"""Realistic valid records for the contract tests, read from the shipped samples.

Every function returns a fresh deep copy, so a test may edit what it gets.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import contracts
from contracts import (
    GenerateRecord,
    License,
    Manifest,
    OperationRecord,
    OperationReport,
    OutsourceRecord,
    StoreInRecord,
    StoreOutRecord,
    TransferApproval,
)

SAMPLES = Path(contracts.__file__).parent / "samples"

SHIPPER = "91320576MA1MXK3Q7M"  # 苏州 (3205)
RECEIVER = "91320612MA1NH0KR2W"  # 南通 (3206)
ZJ_RECEIVER = "91330411MA2B9JX55K"  # 嘉兴 (3304)
LICENCE_NO = "JS0612OOD567"


@cache
def _file(name: str) -> tuple[dict[str, Any], ...]:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    if name.endswith(".json"):
        return (json.loads(text),)
    return tuple(json.loads(line) for line in text.splitlines() if line.strip())


def rows(name: str) -> list[dict[str, Any]]:
    """All records of a sample file, as fresh dicts."""
    return copy.deepcopy(list(_file(name)))


def row(name: str, line: int = 1) -> dict[str, Any]:
    """One record of a sample file (lines count from 1)."""
    return copy.deepcopy(_file(name)[line - 1])


def manifest_dict() -> dict[str, Any]:
    """The received, in-province (苏州 → 南通) two-line manifest."""
    return row("manifest.json")


def cross_manifest_dict() -> dict[str, Any]:
    """The in-transit cross-province (江苏 → 浙江) manifest."""
    return row("manifests.ndjson", 2)


def manifest(**update: Any) -> Manifest:
    d = manifest_dict()
    d.update(update)
    return Manifest.model_validate(d)


def cross_manifest(**update: Any) -> Manifest:
    d = cross_manifest_dict()
    d.update(update)
    return Manifest.model_validate(d)


def licence(**update: Any) -> License:
    d = row("licenses.ndjson")
    d.update(update)
    return License.model_validate(d)


def approval(**update: Any) -> TransferApproval:
    d = row("approvals.ndjson")
    d.update(update)
    return TransferApproval.model_validate(d)


def report(**update: Any) -> OperationReport:
    d = row("operation-reports.ndjson")
    d.update(update)
    return OperationReport.model_validate(d)


def report_line(**update: Any) -> dict[str, Any]:
    line = row("operation-reports.ndjson")["lines"][0]
    line.update(update)
    return line


def operation(**update: Any) -> OperationRecord:
    d = row("operations.ndjson")
    d.update(update)
    return OperationRecord.model_validate(d)


def operations() -> list[OperationRecord]:
    return [OperationRecord.model_validate(d) for d in rows("operations.ndjson")]


LedgerModel = GenerateRecord | StoreInRecord | StoreOutRecord | OutsourceRecord


def ledger_dicts() -> list[dict[str, Any]]:
    """The balanced chain generate, generate, store_in, store_out, outsource (0.18 + 0.18 = 0.36 t)."""
    return rows("ledger.ndjson")

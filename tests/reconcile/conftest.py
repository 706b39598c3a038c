"""Shared builders: valid ledger records made from one template, so every planted difference is known."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from contracts import GenerateRecord

UNITS = ("91320576MA1MXK3Q7M", "91320612MA1NH0KR2W")
TEMPLATE: dict[str, Any] = {
    "unit_uscc": UNITS[0],
    "batch_code": "B0000",
    "occurred_at": "2024-03-01T09:00:00+08:00",
    "waste_name": "废矿物油与含矿物油废物",
    "internal_name": "废液压油",
    "waste_category": "HW08",
    "waste_code": "900-249-08",
    "form": "L",
    "hazards": ["T", "I"],
    "quantity_t": "0.785000",
    "container_type": "铁桶",
    "container_count": 2,
    "label_ids": [],
    "handler": "郭秀",
    "kind": "generate",
    "facility_code": "TS001",
    "destination": None,
}


def ledger(unit: str, day: int, n: int, **changes: Any) -> dict[str, Any]:
    """The ``n``-th record of ``unit`` on 2024-03-``day`` (canonical JSON values), with changes."""
    rec = copy.deepcopy(TEMPLATE)
    rec.update(
        unit_uscc=unit, batch_code=f"B{day:02d}{n:03d}", occurred_at=f"2024-03-{day:02d}T09:{n % 60:02d}:00+08:00"
    )
    rec.update(changes)
    return rec


def grid(days: int = 10, per_day: int = 3) -> list[dict[str, Any]]:
    """Records of both units over ``days`` days, ``per_day`` each: 2 × days buckets."""
    return [ledger(u, d, n) for u in UNITS for d in range(1, days + 1) for n in range(per_day)]


@pytest.fixture
def template_is_valid() -> None:
    GenerateRecord.model_validate(TEMPLATE)

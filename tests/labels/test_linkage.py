"""Linkage checks: manifest labels (exist, shipper's, same code), ledger weights, reuse on open manifests."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from importlib import resources
from typing import Any

import httpx
from pydantic import TypeAdapter

from conformance.labels import (
    NationalLabels,
    check_ledger_weights,
    check_manifest_labels,
    check_open_manifest_reuse,
)
from contracts import Label, Manifest
from contracts.findings import CATALOG
from contracts.ledger import LedgerRecord
from tests.labels.conftest import OTHER_UNIT, SHIPPER, issue, sample_label

LEDGER = TypeAdapter(LedgerRecord)
ID = "91320576MA1MXK3Q7M{code}2024031{day}{seq:03d}"


def _sample(name: str) -> Any:
    text = resources.files("contracts").joinpath("samples", name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else json.loads(text.splitlines()[0])


def manifest(status: str = "submitted", no: str = "20243205000123", **lines: list[str]) -> Manifest:
    m = copy.deepcopy(_sample("manifest.json"))
    m.update(status=status, manifest_no=no)
    for item in m["items"]:
        item["label_ids"] = lines.get(f"line{item['line_no']}", [])
    return Manifest.model_validate(m)


def lid(code: str, seq: int) -> str:
    return f"{SHIPPER}{code}20240315{seq:03d}"


DRUM = lid("90004149", 1)
OIL = lid("90024908", 1)


def registry(*labels: Label) -> dict[str, Label]:
    return {label.label_id: label for label in labels}


def test_manifest_labels_all_good() -> None:
    reg = registry(
        sample_label(label_id=DRUM), sample_label(label_id=OIL, waste_code="900-249-08", waste_category="HW08")
    )
    assert check_manifest_labels(manifest(line1=[DRUM], line2=[OIL]), reg.get) == []


def test_manifest_labels_unknown_foreign_and_wrong_code() -> None:
    foreign = f"{OTHER_UNIT}9000414920240315001"
    reg = registry(sample_label(label_id=DRUM), sample_label(label_id=foreign, producer_uscc=OTHER_UNIT))
    m = manifest(line1=[foreign], line2=[DRUM, OIL])
    found = {(f.code, f.path) for f in check_manifest_labels(m, reg.get)}
    assert found == {
        ("label_link.not_shippers", "$.items[0].label_ids[0]"),
        ("label_link.code_mismatch", "$.items[1].label_ids[0]"),
        ("label_link.unknown", "$.items[1].label_ids[1]"),
    }
    for f in check_manifest_labels(m, reg.get):
        assert f.message_zh and f.message_en and f.code in CATALOG


def ledger(quantity: str, label_ids: list[str]) -> Any:
    return LEDGER.validate_python(_sample("ledger.ndjson") | {"quantity_t": quantity, "label_ids": label_ids})


def test_ledger_weights_within_and_beyond_tolerance() -> None:
    a, b = lid("90024908", 1), lid("90024908", 2)
    reg = registry(sample_label(label_id=a, weight_t="0.100000"), sample_label(label_id=b, weight_t="0.080000"))
    assert check_ledger_weights(ledger("0.180000", [a, b]), reg.get) == []
    assert check_ledger_weights(ledger("0.181000", [a, b]), reg.get) == []  # 1 kg: within the absolute tolerance
    found = check_ledger_weights(ledger("0.200000", [a, b]), reg.get)
    assert [(f.code, f.path) for f in found] == [("label_link.weight_mismatch", "$.quantity_t")]
    assert "0.18" in found[0].message_en and "0.2" in found[0].message_en
    assert check_ledger_weights(ledger("0.200000", [a, b]), reg.get, relative=Decimal("0.2")) == []
    assert check_ledger_weights(ledger("0.180000", []), reg.get) == []
    found = check_ledger_weights(ledger("0.100000", [a, lid("90024908", 9)]), reg.get)
    assert [f.code for f in found] == ["label_link.unknown"]


def test_label_on_two_open_manifests_is_flagged() -> None:
    first = manifest("submitted", "20243205000123", line1=[DRUM])
    second = manifest("draft", "20243205000124", line1=[DRUM])
    closed = manifest("received", "20243205000125", line1=[DRUM])
    found = check_open_manifest_reuse([first, second, closed])
    assert [(f.code, f.record, f.context["first"]) for f in found] == [
        ("label_link.on_two_open_manifests", "20243205000124", "20243205000123")
    ]
    assert check_open_manifest_reuse([first, closed]) == []


def test_manifest_labels_against_the_national_api(signed: httpx.Client) -> None:
    drum = issue(signed)
    oil = issue(
        signed, waste_name="废矿物油", waste_category="HW08", waste_code="900-249-08", hazards=["T", "I"], form="L"
    )
    lookup = NationalLabels(signed)
    assert check_manifest_labels(manifest(line1=[drum.label_id], line2=[oil.label_id]), lookup) == []
    found = check_manifest_labels(manifest(line1=[oil.label_id], line2=[lid("90024908", 999)]), lookup)
    assert [f.code for f in found] == ["label_link.code_mismatch", "label_link.unknown"]


def test_new_finding_codes_have_matching_bilingual_templates() -> None:
    from string import Formatter

    import conformance.labels  # noqa: F401  (registers the codes)

    def names(template: str) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(template) if name}

    ours = [c for c in CATALOG if c.startswith(("label_link.", "label_print."))]
    assert len(ours) == 9
    for code in ours:
        ft = CATALOG[code]
        assert ft.zh.strip() and ft.en.strip()
        assert names(ft.zh) == names(ft.en), code

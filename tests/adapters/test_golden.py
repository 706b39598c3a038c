"""Golden files per profile: local input → expected contract records and rejections, compared canonically.

Accepted records are compared after a round through the contract model (so ``"1.25"`` and
``"1.250000"`` are the same tonnage); rejections by where they came from and (code, contract path,
local field). To refresh after a reviewed change: ``HAZLINK_REGEN_GOLDEN=1 pytest tests/adapters/test_golden.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from adapters import Rejected, Translator
from contracts import Validator
from mappings import load_profile

DATA = Path(__file__).parent / "data"
CASES = [
    ("prov-rest", "ldxx-page1.json"),
    ("prov-rest", "gjxx-page1.json"),
    ("legacy-soap", "queryLdxxResponse.xml"),
    ("legacy-soap", "queryGjxxResponse.xml"),
    ("enterprise-csv", "台账导出-202403.csv"),
]


def canonical(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    outcome = Validator(kind).validate_python(record)
    assert outcome.model is not None, outcome.findings
    dumped: dict[str, Any] = outcome.model.model_dump(mode="json", exclude_none=True)
    return dumped


def results(profile: str, name: str) -> list[dict[str, Any]]:
    path = DATA / profile / name
    out = []
    for r in Translator(load_profile(profile)).translate_files([path]):
        if isinstance(r, Rejected):
            d = r.to_dict()
            where = d["where"].replace(str(DATA / profile) + "/", "")
            reasons = sorted([x["code"], x["path"], x.get("source", "")] for x in d["reasons"])
            out.append({"rejected": {"where": where, "reasons": reasons}})
        else:
            out.append({"kind": r.kind, "accepted": json.loads(r.to_json())})
    return out


@pytest.mark.parametrize(("profile", "name"), CASES, ids=[f"{p}/{n}" for p, n in CASES])
def test_golden(profile: str, name: str) -> None:
    expected_path = DATA / profile / "expected" / (name + ".ndjson")
    got = results(profile, name)
    if os.environ.get("HAZLINK_REGEN_GOLDEN"):
        expected_path.parent.mkdir(exist_ok=True)
        expected_path.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in got), encoding="utf-8")
    expected = [json.loads(line) for line in expected_path.read_text(encoding="utf-8").splitlines()]
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        if "accepted" in e:
            assert "accepted" in g, g
            assert canonical(e["kind"], g["accepted"]) == canonical(e["kind"], e["accepted"])
        else:
            assert g == e


def test_golden_files_cover_acceptance_and_every_kind_of_rejection() -> None:
    reasons = set()
    for profile, name in CASES:
        for line in (DATA / profile / "expected" / (name + ".ndjson")).read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if "rejected" in entry:
                reasons |= {r[0].split(".")[0] for r in entry["rejected"]["reasons"]}
    assert {"mapping", "schema", "waste_code", "ledger"} <= reasons

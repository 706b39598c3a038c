"""The generator: reproducible, and every record it makes is valid under full validation."""

from __future__ import annotations

from typing import Any

from contracts import Severity, Validator
from mocks.local import Generator


def errors(kind: str, record: dict[str, Any]) -> list[str]:
    clean = {k: v for k, v in record.items() if not k.startswith("_")}
    outcome = Validator(kind).validate_python(clean)
    return [f"{f.code} {f.path}" for f in outcome.findings if f.severity is Severity.ERROR]


def test_the_same_seed_gives_the_same_records() -> None:
    assert Generator(7).manifest() == Generator(7).manifest()
    assert Generator(7).ledger(2) == Generator(7).ledger(2)
    assert Generator(7).manifest() != Generator(8).manifest()


def test_generated_manifests_tracks_and_ledgers_validate() -> None:
    for seed in range(5):
        gen = Generator(seed)
        for _ in range(20):
            m = gen.manifest()
            assert errors("manifest", m) == [], m
            points = gen.track(m, 3)
            assert errors("track", {"manifest_no": m["manifest_no"], "points": points}) == []
        for record in gen.ledger(5):
            assert errors("ledger", record) == [], record


def test_records_are_varied_like_real_ones() -> None:
    gen = Generator(1)
    manifests = [gen.manifest() for _ in range(60)]
    assert {m["status"] for m in manifests} == {"submitted", "in_transit", "received"}
    assert len({m["shipper"]["region_code"][:2] for m in manifests}) > 1
    assert any(it["packaging"] == "200L钢桶" for m in manifests for it in m["items"])
    assert any("approval_no" in m for m in manifests)  # some go to another province
    assert {r["kind"] for r in gen.ledger(3)} == {"generate", "store_in", "store_out", "outsource"}

"""Validation throughput of manifests: orjson parse floor vs structural vs full validation.

Run: ``cd /work/main && PYTHONPATH=. .venv/bin/python bench/bench_validation.py`` (see bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pydantic
import pydantic_core

from contracts.codelists import editions, regions
from contracts.identifiers import DEFAULT_LABEL_SCHEME, USCC_ALPHABET, uscc_check_char
from contracts.manifest import ManifestStatus
from contracts.validation import Validator

TARGETS = {"structural": 0.20, "full": 0.10}  # fraction of the orjson.loads rate, from the issue
TZ = timezone(timedelta(hours=8))
PROVINCE_ABBR = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"  # GA 36: no I or O
SURNAMES, GIVEN = "王李张刘陈杨赵黄周吴徐孙朱马胡郭林何高罗", "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"
PACKAGING = ("吨袋", "200L钢桶", "IBC吨桶", "编织袋", "塑料桶")
FORMS = ("S", "SS", "L", "G")
METHODS = ("D10", "R9", "D9", "R2", "C1")
STATUSES = (ManifestStatus.SUBMITTED, ManifestStatus.IN_TRANSIT, ManifestStatus.RECEIVED)


def make_units(rng: random.Random, n: int) -> list[dict[str, Any]]:
    """A pool of ``n`` parties in real counties, with credit codes that carry a correct check character."""
    counties = sorted(regions().counties.items())
    units = []
    for i in range(n):
        region, area = rng.choice(counties)
        body = "91" + region + "".join(rng.choices(USCC_ALPHABET, k=9))
        person = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=2))
        units.append(
            {
                "uscc": body + uscc_check_char(body),
                "name": f"{area}第{i + 1}环境科技有限公司",
                "region_code": region,
                "address": f"{area}工业园{rng.randint(1, 999)}号",
                "contact": {"person": person, "phone": f"0{rng.randint(10, 999)}-{rng.randint(10**6, 10**8 - 1)}"},
            }
        )
    return units


def plate(rng: random.Random) -> str:
    """An ordinary GA 36 plate such as 苏E7G352: province, letter, five letters or digits."""
    return rng.choice(PROVINCE_ABBR) + rng.choice(PLATE_CHARS[:24]) + "".join(rng.choices(PLATE_CHARS, k=5))


def make_manifest(rng: random.Random, i: int, units: list[dict[str, Any]]) -> dict[str, Any]:
    """One valid manifest (no error-level finding under full validation); 4 in 5 stay in the shipper's province."""
    entries = list(editions()[0].entries.values())
    shipper = rng.choice(units)
    local = [u for u in units if u["region_code"][:2] == shipper["region_code"][:2] and u is not shipper]
    receiver = rng.choice(local if local and rng.random() < 0.8 else [u for u in units if u is not shipper])
    # Dates in 2024: the shipped 2021 catalogue is in force (superseded 2025-01-01), so no info finding.
    created = datetime(2024, 1, 1, 8, tzinfo=TZ) + timedelta(minutes=rng.randint(0, 360 * 24 * 60))
    dispatched = created + timedelta(minutes=rng.randint(10, 600))
    status = rng.choice(STATUSES)
    items = []
    for line in range(1, rng.randint(1, 4) + 1):
        e = rng.choice(entries)
        count = rng.randint(1, 4)
        qty = rng.randint(1_000, 20_000_000)  # micro-tonnes
        day = (created - timedelta(days=rng.randint(0, 30))).date()
        item = {
            "line_no": line,
            "waste_code": e.code,
            "waste_name": e.description[:60],
            "waste_category": e.category,
            "form": rng.choice(FORMS),
            "hazards": rng.sample(sorted(e.hazards), rng.randint(1, len(e.hazards))),
            "packaging": rng.choice(PACKAGING),
            "package_count": count,
            "quantity_t": f"{qty / 1e6:.6f}",
            "method": rng.choice(METHODS),
            "label_ids": [DEFAULT_LABEL_SCHEME.compose(shipper["uscc"], e.code, day, s) for s in range(1, count + 1)],
        }
        if status is ManifestStatus.RECEIVED:  # within the 5 % 重大差异 tolerance
            item["received_t"] = f"{qty * rng.uniform(0.97, 1.0) / 1e6:.6f}"
        items.append(item)
    carriers = [
        {
            **c,
            "leg": leg,
            "mode": "road",
            "vehicle_plate": plate(rng),
            "road_permit_no": f"交运管许可字{c['region_code']}{rng.randint(10**5, 10**6 - 1)}号",
            "driver": rng.choice(SURNAMES) + rng.choice(GIVEN),
        }
        for leg, c in enumerate(rng.sample(units, rng.randint(1, 2)), start=1)
    ]
    m: dict[str, Any] = {
        "manifest_no": f"{created.year}{shipper['region_code'][:4]}{i % 10**6:06d}",
        "local_ref": f"L{created:%Y%m%d}{i:07d}",
        "status": status.value,
        "shipper": shipper,
        "carriers": carriers,
        "receiver": receiver,
        "receiver_license_no": f"{receiver['region_code']}OOD{rng.randint(100, 999)}",
        "items": items,
        "emergency_measures": "泄漏时用沙土覆盖吸附，禁止明火，疏散无关人员并报告当地生态环境部门。",
        "created_at": created.isoformat(),
        "significant_discrepancy": False,
    }
    if shipper["region_code"][:2] != receiver["region_code"][:2]:
        m["approval_no"] = f"跨省转移〔{created.year}〕{rng.randint(1, 9999):04d}号"
    if status is not ManifestStatus.SUBMITTED:
        m["dispatched_at"] = dispatched.isoformat()
    if status is ManifestStatus.RECEIVED:
        m["received_at"] = (dispatched + timedelta(minutes=rng.randint(30, 1440))).isoformat()
    return m


def leaves(v: Any) -> int:
    if isinstance(v, dict):
        return sum(leaves(x) for x in v.values())
    if isinstance(v, list):
        return sum(leaves(x) for x in v)
    return 0 if v is None else 1


def run(fn: Callable[[bytes], Any], records: list[bytes]) -> float:
    t0 = time.perf_counter()
    for b in records:
        fn(b)
    return len(records) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--seed", type=int, default=20241128)
    ap.add_argument("--json", type=Path, default=Path("bench/results/validation.json"), help="where to write results")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    units = make_units(rng, 300)
    docs = [make_manifest(rng, i, units) for i in range(args.records)]
    records = [orjson.dumps(d) for d in docs]
    if len({d["manifest_no"] for d in docs}) != len(docs):
        sys.exit("manifest numbers are not distinct")

    cases: dict[str, Callable[[bytes], Any]] = {
        "orjson": orjson.loads,
        "structural": Validator("manifest", codelists=False).validate_json,
        "full": Validator("manifest").validate_json,
    }
    findings = 0
    for k, b in enumerate(records):  # measure the valid path only; this pass also warms the caches
        out = cases["full"](b)
        if not out.ok:
            sys.exit(f"record {k} is invalid: {[(f.code, f.path, f.message_en) for f in out.findings]}")
        findings += len(out.findings)

    names = list(cases)
    runs: dict[str, list[float]] = {n: [] for n in names}
    for r in range(args.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            runs[name].append(run(cases[name], records))

    med = {n: statistics.median(v) for n, v in runs.items()}
    print(
        f"{len(records)} manifests, {statistics.mean(map(len, records)):.0f} B and "
        f"{statistics.mean(map(leaves, docs)):.0f} leaf values each on average, all valid "
        f"({findings} warning/info findings); {args.rounds} interleaved rounds\n"
    )
    print(f"{'case':<12}{'median rec/s':>14}{'min':>10}{'max':>10}{'µs/rec':>9}")
    for n in names:
        print(f"{n:<12}{med[n]:>14,.0f}{min(runs[n]):>10,.0f}{max(runs[n]):>10,.0f}{1e6 / med[n]:>9.1f}")
    ratios = {n: med[n] / med["orjson"] for n in TARGETS}
    print()
    for n, target in TARGETS.items():
        per_round = [a / b for a, b in zip(runs[n], runs["orjson"], strict=True)]
        verdict = "PASS" if ratios[n] >= target else "BELOW TARGET"
        print(
            f"{n}/orjson = {ratios[n]:.3f} (per round {min(per_round):.3f}–{max(per_round):.3f}); "
            f"target ≥ {target:.2f}: {verdict}"
        )

    result = {
        "benchmark": "validation",
        "records": len(records),
        "rounds": args.rounds,
        "seed": args.seed,
        "mean_bytes": statistics.mean(map(len, records)),
        "mean_leaves": statistics.mean(map(leaves, docs)),
        "env": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "pydantic": pydantic.VERSION,
            "pydantic_core": pydantic_core.__version__,
            "orjson": orjson.__version__,
        },
        "cases": {n: {"runs": runs[n], "median": med[n], "min": min(runs[n]), "max": max(runs[n])} for n in names},
        "ratios": {n: {"value": ratios[n], "target": t, "pass": ratios[n] >= t} for n, t in TARGETS.items()},
        "measured_at": datetime.now(TZ).isoformat(timespec="seconds"),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults written to {args.json}")


if __name__ == "__main__":
    main()

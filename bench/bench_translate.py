"""Translation throughput: enterprise-csv end to end vs validation alone; the lxml XML path; the zeep SOAP path.

Run: ``cd /work/main && PYTHONPATH=. .venv/bin/python bench/bench_translate.py`` (about 2–4 minutes on the
2-core box; ``--rows 20000`` for a quick look). Targets (issue #4):

- enterprise-csv, 100,000 rows, read + map + validate: ≥ 10,000 records/s and ≥ half the validation-only
  rate of the same records measured in the same run;
- XML (saved SOAP responses, lxml iterparse) + map + validate: ≥ 3,000 records/s;
- zeep SOAP (``LegacySoapAdapter`` through a stub transport, no socket) + map + validate: ≥ 1,000 records/s.
  ``zeep_e2e`` is the adapter as a user runs it, with its default configuration: zeep makes the calls
  (safe Settings) and lxml reads the records of each reply (``payload = "lxml"``). ``zeep_typed_e2e``
  (``payload = "typed"``: zeep deserialises the replies by the XSD) is reported beside it, for reference.

Cases of a section run in interleaved rounds (each round runs every case once, starting from a different
case), so a slow phase of the host slows a whole round rather than one case; the median is the figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import lxml.etree
import pydantic
import zeep

from adapters import Accepted, Translator
from adapters.files import read_file
from adapters.legacy_soap import LegacySoapAdapter
from contracts import Validator
from mappings import load_profile
from mocks.local import TZ, Generator, enterprise_csv, legacy_soap

TARGETS = {"csv_e2e": 10_000.0, "xml_e2e": 3_000.0, "zeep_e2e": 1_000.0}
CSV_RATIO_TARGET = 0.5


CPU_RUNS: dict[str, list[float]] = {}


def timed(fn: Callable[[], int]) -> tuple[float, float]:
    """Records per second of one run of ``fn`` (which returns how many it handled): by the wall clock and
    by this process's CPU time (the second is less disturbed by other work on a shared box)."""
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    n = fn()
    return n / (time.perf_counter() - t0), n / max(time.process_time() - c0, 1e-9)


def interleaved(cases: dict[str, Callable[[], int]], rounds: int) -> dict[str, list[float]]:
    names = list(cases)
    runs: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            wall, cpu = timed(cases[name])
            runs[name].append(wall)
            CPU_RUNS.setdefault(name, []).append(cpu)
            print(f"  round {r + 1} {name:<22}{wall:>12,.0f} rec/s  (cpu {cpu:,.0f})", flush=True)
    return runs


def count_accepted(results: Any, expected: int) -> int:
    n = 0
    for r in results:
        if not isinstance(r, Accepted):
            sys.exit(f"bench input rejected: {r.to_dict()}")
        n += 1
    if n != expected:
        sys.exit(f"expected {expected} records, got {n}")
    return n


def csv_section(folder: Path, rows: int, rounds: int, seed: int) -> dict[str, Any]:
    gen = Generator(seed)
    records = gen.ledger(rows // 4 + (rows % 4 > 0))[:rows]
    path = enterprise_csv.write_csv(
        folder / "台账导出.csv", [enterprise_csv.render_row(r, seed) for r in records], encoding="gbk"
    )
    profile = load_profile("enterprise-csv")
    translator = Translator(profile)
    mapped = [profile.apply("ledger", r.data).data for r in read_file(profile, path)]
    validator = Validator("ledger")

    def validation_only() -> int:
        for d in mapped:
            validator.validate_python(d)
        return len(mapped)

    def read_only() -> int:
        return sum(1 for _ in read_file(profile, path))

    def read_map() -> int:
        n = 0
        for r in read_file(profile, path):
            profile.apply(r.stream, r.data)
            n += 1
        return n

    def end_to_end() -> int:
        return count_accepted(translator.translate_files([path]), rows)

    def end_to_end_ndjson() -> int:
        n = 0
        with (folder / "out.ndjson").open("w", encoding="utf-8") as out:
            for r in translator.translate_files([path]):
                if not isinstance(r, Accepted):
                    sys.exit(f"bench input rejected: {r.to_dict()}")
                out.write(r.to_json() + "\n")
                n += 1
        return n

    print(f"enterprise-csv: {rows:,} rows, GBK, {path.stat().st_size / 1e6:.1f} MB")
    end_to_end()  # warm the caches (code lists, credit codes) once, outside the timing
    runs = interleaved(
        {
            "csv_e2e": end_to_end,
            "validation_only": validation_only,
            "csv_e2e_ndjson": end_to_end_ndjson,
            "csv_read_map": read_map,
            "csv_read": read_only,
        },
        rounds,
    )
    return {"rows": rows, "bytes": path.stat().st_size, "runs": runs}


def soap_records(seed: int, n: int) -> list[dict[str, Any]]:
    """Manifests as the service stores them, modified one a second (so a window pull pages through them)."""
    gen = Generator(seed)
    start = datetime(2024, 5, 1, tzinfo=TZ)
    return [
        legacy_soap.render_manifest(gen.manifest()) | {"xgsj": f"{start + timedelta(seconds=i):%Y%m%d%H%M%S}"}
        for i in range(n)
    ]


def xml_section(folder: Path, n: int, rounds: int, seed: int) -> dict[str, Any]:
    records = soap_records(seed, n)
    files = []
    for i in range(0, n, 100):  # 100 records per saved response, as pages are saved
        path = folder / f"queryLdxxResponse-{i // 100:04d}.xml"
        path.write_bytes(legacy_soap.response_document("queryLdxx", "ldxx", records[i : i + 100]))
        files.append(path)
    profile = load_profile("legacy-soap")
    translator = Translator(profile)

    def parse_map() -> int:
        n_done = 0
        for f in files:
            for r in read_file(profile, f):
                profile.apply(r.stream, r.data)
                n_done += 1
        return n_done

    def end_to_end() -> int:
        return count_accepted(translator.translate_files(files), n)

    print(f"legacy-soap XML path: {n:,} manifests in {len(files)} saved responses")
    end_to_end()
    return {"records": n, "runs": interleaved({"xml_e2e": end_to_end, "xml_parse_map": parse_map}, rounds)}


def zeep_section(n: int, rounds: int, seed: int) -> dict[str, Any]:
    records = soap_records(seed, n)
    page_size = 100
    replies: dict[tuple[str, int], bytes] = {}

    def reply(ks: str, page: int) -> bytes:
        # The service's window query, rendered once per (window start, page) and then served from memory.
        if (ks, page) not in replies:
            rows = [r for r in records if r["xgsj"] >= ks]
            pages = max(1, -(-len(rows) // page_size))
            chunk = rows[(page - 1) * page_size : page * page_size]
            replies[ks, page] = legacy_soap.response_document("queryLdxx", "ldxx", chunk, page=page, pages=pages)
        return replies[ks, page]

    token = legacy_soap.envelope(
        lxml.etree.fromstring(b'<getTokenResponse xmlns="http://ws.gfxt.local/"><token>t</token></getTokenResponse>')
    )
    empty = legacy_soap.response_document("queryGjxx", "gjxx", [])

    def handler(request: httpx.Request) -> httpx.Response:
        # A stub transport: the rendered replies are ready, so the figure is the client's, not a server's.
        body = request.content
        if b"getToken" in body:
            return httpx.Response(200, content=token, headers={"Content-Type": "text/xml"})
        if b"queryGjxx" in body:
            return httpx.Response(200, content=empty, headers={"Content-Type": "text/xml"})
        page = int(body.split(b"pageNo>")[1].split(b"<")[0])
        ks = body.split(b"ksrq>")[1].split(b"<")[0].decode()
        return httpx.Response(200, content=reply(ks, page), headers={"Content-Type": "text/xml"})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    config = {"address": "http://legacy.bench/ws", "username": "u", "password": "p", "page_size": page_size}
    clock = lambda: datetime(2024, 6, 1, 11, 0, tzinfo=TZ)  # noqa: E731
    adapter = LegacySoapAdapter(config, client=client, clock=clock)  # the defaults, as a user runs it
    typed = LegacySoapAdapter({**config, "payload": "typed"}, client=client, clock=clock)
    translator = Translator(adapter.profile())

    def zeep_read() -> int:
        return sum(1 for _ in adapter.read(None))

    def end_to_end() -> int:
        return count_accepted(translator.translate(adapter.read(None)), n)

    def typed_end_to_end() -> int:
        return count_accepted(translator.translate(typed.read(None)), n)

    print(f"legacy-soap zeep path: {n:,} manifests, calls of {page_size} (payload {adapter.config['payload']})")
    end_to_end()
    typed_end_to_end()
    cases = {"zeep_e2e": end_to_end, "zeep_typed_e2e": typed_end_to_end, "zeep_read": zeep_read}
    return {"records": n, "runs": interleaved(cases, rounds)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=100_000, help="enterprise-csv rows")
    ap.add_argument("--xml", type=int, default=10_000, help="manifests for the lxml path")
    ap.add_argument("--zeep", type=int, default=3_000, help="manifests for the zeep path")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20241128)
    ap.add_argument("--json", type=Path, default=Path("bench/results/translate.json"))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sections = {
            "csv": csv_section(folder, args.rows, args.rounds, args.seed),
            "xml": xml_section(folder, args.xml, args.rounds, args.seed),
            "zeep": zeep_section(args.zeep, args.rounds, args.seed),
        }
    medians = {name: statistics.median(v) for s in sections.values() for name, v in s["runs"].items()}
    cpu = {name: statistics.median(v) for name, v in CPU_RUNS.items()}
    print(f"\n{'case':<22}{'median rec/s':>14}{'µs/rec':>10}{'cpu rec/s':>12}")
    for name, value in medians.items():
        print(f"{name:<22}{value:>14,.0f}{1e6 / value:>10.1f}{cpu[name]:>12,.0f}")
    csv_runs = sections["csv"]["runs"]
    per_round = [a / b for a, b in zip(csv_runs["csv_e2e"], csv_runs["validation_only"], strict=True)]
    ratio = medians["csv_e2e"] / medians["validation_only"]
    verdicts = {name: medians[name] >= target for name, target in TARGETS.items()}
    verdicts["csv_ratio"] = ratio >= CSV_RATIO_TARGET
    print()
    for name, target in TARGETS.items():
        print(
            f"{name}: {medians[name]:,.0f} rec/s, target ≥ {target:,.0f}: {'PASS' if verdicts[name] else 'BELOW TARGET'}"
        )
    print(
        f"csv_e2e / validation_only = {ratio:.3f} (per round {min(per_round):.3f}–{max(per_round):.3f}; "
        f"by cpu time {cpu['csv_e2e'] / cpu['validation_only']:.3f}); "
        f"target ≥ {CSV_RATIO_TARGET}: {'PASS' if verdicts['csv_ratio'] else 'BELOW TARGET'}"
    )
    result = {
        "benchmark": "translate",
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "env": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "pydantic": pydantic.VERSION,
            "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
            "zeep": zeep.__version__,
        },
        "sections": sections,
        "medians": medians,
        "cpu_runs": CPU_RUNS,
        "cpu_medians": cpu,
        "csv_ratio": {"value": ratio, "per_round": per_round, "target": CSV_RATIO_TARGET},
        "pass": verdicts,
        "measured_at": datetime.now(TZ).isoformat(timespec="seconds"),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nresults written to {args.json}")


if __name__ == "__main__":
    main()

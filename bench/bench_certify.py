"""A 10,000-event certification of the reference integration, its reports, and the bare delivery of the same events.

One run, three measurements:

1. **certification**: ``certify(ReferenceIntegration(), RunOptions(profile=default))`` over a generated scenario
   set of about 10,000 driver events (wall clock, start to judged result). The set is a working period
   of the shipped units: ``--blocks`` scenarios, each interleaving manifest lifecycles (labels for the
   containers, save, submit, dispatch with a GPS track, receipt; one in ten received short, one in twelve
   rejected) with ledger flows (generate → store in → store out → outsource or self-process) and one
   ledger correction, then an operation book with its monthly report. The run must pass (level pass)
   and finish in under 300 s;
2. **reports** of that run: ``render_html``, ``write_junit``, ``write_json`` and ``write_bundle`` with the
   national journal (NDJSON) as an extra file, each timed once;
3. **baseline**: the same driver events, recorded during the certification, performed again by a fresh
   ``ReferenceIntegration`` against a fresh mock seeded the same way, with no suite around it (no
   settling, journal polling, collection or judging): from the first event until the fresh mock's journal
   shows as many effects as the certification expected and the bridge is idle (nothing queued, in flight
   or waiting to retry). ``--baseline-limit`` (300 s) bounds the wait; the run fails when it is reached.
   Label ids issued by the fresh mock are mapped onto the recorded ones' places in later events.

The ratio certification / baseline is the suite's own cost on top of getting the records delivered.

The whole run falls on one business day, where the national label scheme has 999 sequence numbers per
unit, waste code and day (``label.sequence_exhausted``): at two containers per manifest, alternating two
waste codes, 999 manifests at most. (Ledger batch codes no longer cap it: ``World.ledger`` numbers them
with the run's serial unwrapped.) The default mix is 980 ledger flows (3,920 records) and 870 manifests:
3,930 ledger, 1,740 label, 3,480 manifest save, 870 track and 21 operation events, 10,041 in all.

Run: ``PYTHONPATH=. .venv/bin/python bench/bench_certify.py [--blocks 10] [--lifecycles 87] [--profile-to FILE]``.
Target (issue): a 10,000-event certification in under 5 minutes, passing.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import secrets
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import orjson

from conformance.reference import ReferenceIntegration
from conformance.report import render_html, write_bundle, write_json, write_junit
from conformance.suite.context import observe
from conformance.suite.driver import Event, EventResult, Session, SutInfo, SutStatus
from conformance.suite.model import Level, RunResult
from conformance.suite.profiles import PROFILES
from conformance.suite.runner import RunArtifacts, RunOptions, business_start, certify
from conformance.suite.scenario import Scenario
from conformance.suite.world import World
from mocks.local import TZ
from mocks.national import MockConfig, create_app, load
from mocks.national import journal as mock_journal
from mocks.national.server import running

TARGET_S = 300.0
KINDS_OUT = ["generate", "store_in", "store_out", "outsource"]
KINDS_SELF = ["generate", "store_in", "store_out", "self_process"]
WASTES = ["900-249-08", "900-041-49"]


def build_scenarios(blocks: int, lifecycles: int, flows: int, labels: int, operations: int) -> list[Scenario]:
    """``blocks`` mixed scenarios, then the operation book and its report."""
    out = []
    for b in range(1, blocks + 1):
        steps: list[dict[str, Any]] = []
        expect: dict[str, dict[str, Any]] = {}
        # ledger flows spread over the lifecycles (the first few before the first manifest)
        per = [flows // lifecycles + (1 if i < flows % lifecycles else 0) for i in range(lifecycles)]
        for i in range(lifecycles):
            waste = WASTES[i % 2]
            steps.append({"labels": {"as": f"c{i}", "waste": waste, "count": labels}})
            steps.append({"manifest": {"as": f"m{i}", "labels": [f"c{i}"], "carriers": 1 + (i % 7 == 3)}})
            steps.append({"advance": {"manifest": f"m{i}", "to": "submitted"}})
            steps.append({"advance": {"manifest": f"m{i}", "to": "in_transit", "track": {"interval_s": 120}}})
            if i % 12 == 11:
                steps.append({"advance": {"manifest": f"m{i}", "to": "rejected"}})
                expect[f"m{i}"] = {"status": "rejected"}
            elif i % 10 == 9:
                steps.append({"advance": {"manifest": f"m{i}", "to": "received", "received_ratio": "0.80"}})
                expect[f"m{i}"] = {"status": "received", "significant_discrepancy": True}
            else:
                steps.append({"advance": {"manifest": f"m{i}", "to": "received"}})
                expect[f"m{i}"] = {"status": "received", "significant_discrepancy": False}
            if per[i]:
                kinds = KINDS_OUT if i % 3 else KINDS_SELF
                steps.append({"ledger": {"kinds": kinds, "flows": per[i], "waste": WASTES[(i // 2) % 2]}})
        steps.append({"correct": {"quantity_factor": "1.05"}})
        doc = {
            "name": f"bench-block-{b:02d}",
            "title_zh": f"工作日 {b}：联单与台账",
            "title_en": f"Working period {b}: manifests and ledger",
            "steps": steps,
            "expect": {"manifests": expect},
        }
        out.append(Scenario.model_validate(doc))
    ops = [{"operations": {"records": operations}}, {"settle": True}, {"report": {"period": "previous_month"}}]
    out.append(
        Scenario.model_validate(
            {"name": "bench-operations", "title_zh": "经营记录与月报", "title_en": "Operation book", "steps": ops}
        )
    )
    return out


@dataclass
class Recorder:
    """A driver wrapper that keeps every event performed and its answer (for the baseline replay)."""

    inner: Any
    events: list[tuple[Event, EventResult]] = field(default_factory=list)

    def info(self) -> SutInfo:
        return self.inner.info()  # type: ignore[no-any-return]

    def start(self, session: Session, clock: Callable[[], datetime] | None = None) -> None:
        self.inner.start(session, clock=clock)

    def perform(self, event: Event) -> EventResult:
        result: EventResult = self.inner.perform(event)
        self.events.append((event, result))
        return result

    def status(self) -> SutStatus:
        return self.inner.status()  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.inner.stop()


def _remap(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_remap(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _remap(v, ids) for k, v in value.items()}
    return value


def baseline(
    events: list[tuple[Event, EventResult]],
    begin: datetime,
    clock_at: datetime,
    seed: int,
    expected: int,
    limit: float = 300.0,
) -> dict[str, Any]:
    """The same events through a fresh reference integration and mock, no suite: seconds to idle."""
    world = World(seed=seed)
    key, secret = "sut-baseline", secrets.token_hex(24)
    app = create_app(config=MockConfig(control=True, rate_per_second=1000.0, burst=2000))
    state = app.state.national
    load(state.store, world.seed_in(begin, key, secret))
    state.clock.set(clock_at)
    driver = ReferenceIntegration()
    ids: dict[str, str] = {}
    with running(app) as url:
        driver.start(
            Session(run_id=uuid.uuid4().hex[:16], national_url=url, app_key=key, app_secret=secret),
            clock=state.clock.now,
        )
        try:
            t0 = time.perf_counter()
            for event, answer in events:
                if answer.status != "done":  # refused in the certification too (it would fail the run there)
                    continue
                data = _remap(event.data, ids) if ids and event.event.startswith("manifest.") else event.data
                got = driver.perform(Event(correlation_id=uuid.uuid4().hex, event=event.event, data=data))
                if got.status != "done":
                    raise SystemExit(f"baseline: {event.event} answered {got.status}: {got.message}")
                if event.event == "label.issue" and got.result["label_id"] != answer.result["label_id"]:
                    ids[answer.result["label_id"]] = got.result["label_id"]
            performed = time.perf_counter() - t0
            # Done when the journal shows every expected effect and the bridge is idle (nothing queued, in
            # flight or waiting to retry); the bridge reads its sources every 0.2 s. ``limit`` bounds the wait.
            effects, after, idle, deadline = 0, 0, False, time.monotonic() + limit
            while time.monotonic() < deadline:
                page = mock_journal.read(state.store, after, 5000)
                if page:
                    after = page[-1]["id"]
                    effects += len(observe(page, key, {})[0])
                    continue
                status = driver.status()
                idle = status.idle
                if effects >= expected and idle:
                    break
                time.sleep(0.01)
            elapsed = time.perf_counter() - t0
            backlog = driver.status().backlog
        finally:
            driver.stop()
    if effects != expected or not idle:
        raise SystemExit(
            f"baseline: {effects} national effects after {elapsed:.0f} s (limit {limit:.0f} s), the certification "
            f"expected {expected}; bridge {'idle' if idle else f'not idle, backlog {backlog}'}"
        )
    return {"seconds": elapsed, "perform_seconds": performed, "effects": effects, "labels_remapped": len(ids)}


def timed_reports(art: RunArtifacts, folder: Path) -> dict[str, float]:
    """Seconds of each report of the run (and sizes are checked to be non-trivial)."""
    run, out = art.result, {}
    t0 = time.perf_counter()
    html = render_html(run)
    out["render_html"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_junit(run, folder / "junit.xml")
    out["write_junit"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_json(run, folder / "report.json")
    out["write_json"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    journal = b"".join(orjson.dumps(e) + b"\n" for e in art.journal)
    write_bundle(folder / "bundle", run, {"journal.ndjson": journal})
    out["write_bundle"] = time.perf_counter() - t0
    out["html_bytes"] = float(len(html.encode("utf-8")))
    out["journal_bytes"] = float(len(journal))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=10, help="mixed scenarios (default 10)")
    ap.add_argument("--lifecycles", type=int, default=87, help="manifest lifecycles per block (default 87)")
    ap.add_argument("--flows", type=int, default=98, help="ledger flows of 4 records per block (default 98)")
    ap.add_argument("--labels", type=int, default=2, help="containers (labels) per manifest (default 2)")
    ap.add_argument("--operations", type=int, default=20, help="operation book records (default 20)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-baseline", action="store_true", help="certify and time the reports only")
    ap.add_argument(
        "--baseline-limit", type=float, default=300.0, help="seconds the baseline may take at most (default 300)"
    )
    ap.add_argument("--profile-to", type=Path, help="write a cProfile of the certification to this file")
    ap.add_argument("--json", type=Path, default=Path("bench/results/certify.json"))
    args = ap.parse_args()
    if (args.blocks * args.lifecycles + 1) // 2 * args.labels > 999:
        raise SystemExit("more than 999 labels of one waste code in a day exhaust the national label sequence")
    scenarios = build_scenarios(args.blocks, args.lifecycles, args.flows, args.labels, args.operations)
    begin = business_start(date.today())
    recorder = Recorder(ReferenceIntegration())
    marks: list[tuple[str, float, dict[str, Any]]] = []  # progress events with their perf_counter time
    options = RunOptions(
        scenarios=scenarios,
        profile=PROFILES["default"],
        seed=args.seed,
        business_start=begin,
        progress=lambda e, d: marks.append((e, time.perf_counter(), d)),
    )
    profiler = cProfile.Profile() if args.profile_to else None
    t0 = time.perf_counter()
    if profiler:
        profiler.enable()
    art = certify(recorder, options)
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile_to)
    wall = time.perf_counter() - t0
    run = art.result
    assert art.context is not None
    events = len(recorder.events)
    expectations = len(art.context.expectations)
    kinds: dict[str, int] = {}
    for e, _r in recorder.events:
        kinds[e.event] = kinds.get(e.event, 0) + 1
    by_kind = ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items()))
    print(
        f"{len(scenarios)} scenarios, {events:,} driver events ({by_kind}), "
        f"{expectations:,} expected national effects, {len(art.journal):,} journal entries"
    )
    p95 = sorted(run.latencies_s)[int(0.95 * (len(run.latencies_s) - 1))] if run.latencies_s else float("nan")
    print(
        f"certification: {wall:7.1f} s wall  level {run.score.level.value}, score {run.score.total}, "
        f"latency p95 {p95:.2f} s; target < {TARGET_S:.0f} s: {'PASS' if wall < TARGET_S else 'ABOVE TARGET'}"
    )
    durations = [d["seconds"] for e, _t, d in marks if e == "scenario_done"]
    played, finishing = sum(durations), next(t for e, t, _d in marks if e == "finishing")
    print(
        f"  scenarios played and settled {played:6.1f} s (slowest {max(durations):.1f} s); "
        f"final settle, collection and judging {t0 + wall - finishing:6.1f} s"
    )
    failed = [c.spec.id for c in run.failed()]
    for check in run.failed():
        print(f"  FAILED {check.spec.id}: {check.summary_en} ({len(check.findings)} findings)")
        for f in check.findings[:3]:
            print(f"    {f.code} {f.subject} [{f.scenario}]: {f.message_en} (expected {f.expected}, actual {f.actual})")
    with tempfile.TemporaryDirectory(prefix="bench-certify-") as tmp:
        rep = timed_reports(art, Path(tmp))
    for name in ("render_html", "write_junit", "write_json", "write_bundle"):
        print(f"  {name:<13} {rep[name]:6.2f} s")
    print(f"  (HTML {rep['html_bytes'] / 1e6:.1f} MB; journal in the bundle {rep['journal_bytes'] / 1e6:.1f} MB)")
    result: dict[str, Any] = {
        "events": events,
        "events_by_kind": kinds,
        "expectations": expectations,
        "journal_entries": len(art.journal),
        "certify_s": wall,
        "played_s": played,
        "finish_s": t0 + wall - finishing,
        "level": run.score.level.value,
        "score": run.score.total,
        "harness_errors": run.harness_errors,
        "failed_checks": failed,
        "reports_s": rep,
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    if not args.no_baseline:
        clock_at = _clock_after(begin, run)
        base = baseline(recorder.events, begin, clock_at, args.seed, expectations, args.baseline_limit)
        result["baseline"] = base
        print(
            f"baseline (same events, reference integration alone, fresh mock): {base['seconds']:6.1f} s "
            f"(performing {base['perform_seconds']:.1f} s, {base['effects']:,} national effects)"
        )
        print(f"certification / baseline = {wall / base['seconds']:.2f}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, default=str))
    if run.score.level is not Level.PASS or run.harness_errors:
        raise SystemExit(f"the run did not pass: level {run.score.level.value}, harness errors {run.harness_errors}")
    if wall >= TARGET_S:
        raise SystemExit(f"the certification took {wall:.0f} s, target {TARGET_S:.0f} s")


def _clock_after(begin: datetime, run: RunResult) -> datetime:
    """Business time after the certification: the replayed records then all lie in the past."""
    finished = run.identity.finished_at or datetime.now(TZ)
    return begin + (finished - run.identity.started_at)


if __name__ == "__main__":
    main()

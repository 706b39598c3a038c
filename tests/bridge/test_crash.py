"""Crash tests: the bridge as a subprocess (``python -m adapters.bridge``, the options of ``hazlink sync run``), SIGKILLed at random points, restarted until drained.

Each lane has its own mock national API on a loopback port and its own drop folder. A trial drops a
new export (new business events), then runs the bridge with ``HAZLINK_BRIDGE_KILL=point:n`` so that
it SIGKILLs itself at the n-th hit of a crash point: ``read``, ``outbox_write``, ``send``, ``sent``
(the national side answered, nothing recorded yet) or ``ack``. After all trials the bridge runs
without a kill until the outbox is drained; the checker over the mock's journal must then report
zero lost, duplicated, unexpected and reordered records. Lanes run in parallel to keep the wall time
short.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.bridge import check
from adapters.bridge.hooks import ENV, POINTS
from mocks.local import TZ
from mocks.local import prov_rest as prov
from mocks.national import MockConfig, SeedIn, create_app, demo_seed, load
from mocks.national import journal as mock_journal
from mocks.national.seed import CredentialIn
from mocks.national.server import running

from .conftest import APP_KEY, SECRET, expected_ledger, ledger_records, sample_manifest, track_points, write_ledger
from .test_cli import CLI, sync_cmd

LEDGER_LANES = 2
KILLS_PER_LANE = 18  # 3 lanes (2 ledger, 1 manifest): 54 kills in all
STEPS = ("draft", "submitted", "in_transit", "received")
LIFECYCLE = ("create", "submit", "dispatch", "receive")


@dataclass
class Lane:
    number: int
    folder: Path
    db: Path
    secret: Path
    url: str = ""
    records: list[dict[str, Any]] = field(default_factory=list)
    kills: Counter[str] = field(default_factory=Counter)
    runs: int = 0
    error: str = ""
    times: list[tuple[str, float]] = field(default_factory=list)

    source: str = ""
    manifests: dict[str, int] = field(default_factory=dict)  # local number → index of its last status
    prov: Any = None

    def cmd(self) -> list[str]:
        cli = sync_cmd(self.folder, self.url, self.db, self.secret, "--once", "--chunk", "7", "--workers", "3")
        # the lean entry (same options as `hazlink sync run`): a restart costs ~0.35 s less
        args = [sys.executable, "-m", "adapters.bridge", *cli[len(CLI) + 2 :]]
        if self.source:  # the manifest lane reads the prov-rest platform instead of the drop folder
            at = args.index("--profile")
            args[at + 1] = "prov-rest"
            args[args.index("--source") + 1] = self.source
            args[args.index("settle_seconds=0")] = "settle_seconds=1"
            args += ["--set", "token=demo-token"]
        return args

    def new_events(self, trial: int, rng: random.Random) -> int:
        """Business events for one trial; how many local records they wrote."""
        if not self.source:
            new = ledger_records(2, rng.randint(1, 3), seed=self.number * 1000 + trial)
            write_ledger(self.folder, new, name=f"台账导出-{trial:03d}.csv")
            self.records += new
            return len(new)
        self.prov.now += timedelta(minutes=1)
        written = 0
        self.manifests[f"2024320599{self.number}{trial:03d}"] = -1  # a new manifest every trial
        open_ones = [no for no, i in self.manifests.items() if i < len(STEPS) - 1]
        for no in rng.sample(open_ones, min(3, len(open_ones))):
            written += self.advance(no)
        return max(written, 1)

    def advance(self, no: str) -> int:
        self.manifests[no] += 1
        status = STEPS[self.manifests[no]]
        m = sample_manifest(no, status)
        points = 2 if status == "in_transit" else 0
        self.prov.save("ldxx", prov.render_manifest(m))
        for p in track_points(m, points):
            self.prov.save("gjxx", prov.render_track(no, p))
        return 1 + points

    def run(self, kill: str | None) -> int:
        env = {**os.environ, ENV: kill or ""}
        self.runs += 1
        started = time.monotonic()
        done = subprocess.run(self.cmd(), capture_output=True, text=True, timeout=60, env=env)
        self.times.append((kill or "drain", round(time.monotonic() - started, 2)))
        if done.returncode not in (0, 3, -signal.SIGKILL):
            self.error = f"exit {done.returncode}: {done.stderr[-2000:]}"
        return done.returncode


def _trials(lane: Lane, rng: random.Random) -> None:
    trial = 0
    while sum(lane.kills.values()) < KILLS_PER_LANE and trial < KILLS_PER_LANE * 3 and not lane.error:
        trial += 1
        written = lane.new_events(trial, rng)
        point = POINTS[(trial + lane.number) % len(POINTS)]
        most = 1 if lane.source else 2  # a manifest trial sends few operations
        hits = {"read": written, "outbox_write": max(1, written // 7)}.get(point, most)
        code = lane.run(f"{point}:{rng.randint(1, hits)}")
        if code == -signal.SIGKILL:
            lane.kills[point] += 1
    if lane.source:  # finish every manifest's lifecycle
        lane.prov.now += timedelta(minutes=1)
        for no in list(lane.manifests):
            while lane.manifests[no] < len(STEPS) - 1:
                lane.advance(no)
    for _ in range(10):  # restart until drained
        if lane.run(None) == 0:
            return
    lane.error = lane.error or "not drained after 10 restarts"


def _mock() -> Any:
    app = create_app(config=MockConfig(control=True))
    load(app.state.national.store, demo_seed())
    load(app.state.national.store, SeedIn(credentials=[CredentialIn(app_key=APP_KEY, secret=SECRET, scope="*")]))
    return app


def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    lanes: list[Lane] = []
    for i in range(LEDGER_LANES + 1):
        root = tmp_path / f"lane{i}"
        (root / "drop").mkdir(parents=True)
        (root / "secret").write_text(SECRET)
        lanes.append(Lane(i, root / "drop", root / "outbox.db", root / "secret"))
    apps = [_mock() for _ in lanes]
    system = prov.ProvRestSystem(clock=lambda: clock[0])
    clock = [datetime(2024, 6, 1, 10, 0, tzinfo=TZ)]
    manifest_lane = lanes[-1]
    manifest_lane.prov = _ProvClock(system, clock)
    with ExitStack() as stack:
        for lane, app in zip(lanes, apps, strict=True):
            lane.url = stack.enter_context(running(app))
        manifest_lane.source = stack.enter_context(running(prov.create_app(system)))
        threads = [threading.Thread(target=_trials, args=(lane, random.Random(lane.number))) for lane in lanes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    kills: Counter[str] = Counter()
    for lane in lanes:
        kills.update(lane.kills)
    assert not [lane.error for lane in lanes if lane.error], [lane.error for lane in lanes]
    assert sum(kills.values()) >= 50, kills
    assert set(kills) == set(POINTS), kills
    for lane, app in zip(lanes[:-1], apps, strict=False):
        journal = mock_journal.read(app.state.national.store, 0, 10_000_000)
        verdict = check(expected_ledger(lane.records), journal)
        assert verdict.ok, (lane.number, verdict.counts(), verdict)
        assert verdict.observed == len(lane.records)
        assert app.state.national.store.count("ledger-records") == len(lane.records)
    # the manifest lane: each manifest created once, its steps in order, every track point there once
    store = apps[-1].state.national.store
    journal = mock_journal.read(store, 0, 10_000_000)
    national = [json.loads(r.body) for r in store.list_records("manifests", after_seq=0, limit=1000)]
    aliases = {m["manifest_no"]: m["local_ref"] for m in national}
    expected = [(f"manifest:{no}", f"manifest/{no}/{step}") for no in manifest_lane.manifests for step in LIFECYCLE]
    verdict = check(expected, journal, aliases)
    assert verdict.ok, (verdict.counts(), verdict)
    assert sorted(aliases.values()) == sorted(manifest_lane.manifests)
    assert {m["status"] for m in national} == {"received"}
    for m in national:
        assert len(store.points(m["manifest_no"], 0, 100)) == 2
    print(f"crash trials: {dict(kills)} kills, {sum(lane.runs for lane in lanes)} runs")


class _ProvClock:
    """The prov-rest platform with a clock the test moves on (a minute per trial)."""

    def __init__(self, system: prov.ProvRestSystem, clock: list[datetime]) -> None:
        self.system, self.clock = system, clock

    @property
    def now(self) -> datetime:
        return self.clock[0]

    @now.setter
    def now(self, value: datetime) -> None:
        self.clock[0] = value

    def save(self, interface: str, record: dict[str, Any]) -> None:
        self.system.save(interface, record)


def test_the_hook_is_inert_without_the_variable() -> None:
    from adapters.bridge import hooks

    hooks.point("send")  # no variable set in the test process: nothing happens

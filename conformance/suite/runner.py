"""The certification runner: start the mock, play the scenarios through the driver, collect, judge, score.

1. A fresh mock national API is started on loopback and seeded with the world's parties, licences,
   an approval, the SUT's credential (a new secret each run) and the suite's own query credential.
   Its business clock starts on the 10th of the month (so monthly reports are due, not overdue).
2. The SUT is told where to deliver (``Session``); an in-process SUT with ``shared_clock`` reads the
   mock's business clock.
3. Each scenario is played step by step; ``settle`` waits until the national side shows every effect
   expected so far, or the SUT is idle and the line quiet, or the profile's ``settle_s`` has passed.
4. At the end, records still missing get the SLA's maximum to arrive; an SUT sharing the clock is then
   given ``grace_s`` of business time (the clock moved on in steps), so that late records are told
   apart from lost ones.
5. The journal and the national copies are collected and every registered check judges the run.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any

import httpx

from contracts import CONTRACT_VERSION
from contracts.codelists import editions
from contracts.signing import SigningAuth
from mocks.local import TZ
from mocks.national import MockConfig, SeedIn, create_app, load
from mocks.national.seed import CredentialIn
from mocks.national.server import running

from .context import Context, observe
from .driver import Driver, Session, SutInfo
from .model import Identity, RunResult, Waiver
from .play import Mock, Player
from .profiles import PROFILES, Profile
from .scenario import Scenario, shipped_scenarios

__all__ = ["SUITE_VERSION", "RunArtifacts", "RunOptions", "certify"]

SUITE_VERSION = "1.0"
SUITE_KEY = "hazlink-suite"
Progress = Callable[[str, dict[str, Any]], None]


@dataclass
class RunOptions:
    """What to play and how to judge it."""

    scenarios: list[Scenario] | None = None
    profile: Profile = field(default_factory=lambda: PROFILES["default"])
    seed: int = 0
    business_start: datetime | None = None
    waivers: list[Waiver] = field(default_factory=list)
    mode: str = "callable"
    progress: Progress | None = None
    checks: list[str] | None = None


@dataclass
class RunArtifacts:
    """A judged run and the raw material of its evidence."""

    result: RunResult
    journal: list[dict[str, Any]]
    diffs: list[dict[str, Any]]
    context: Context | None = None


def business_start(today: date) -> datetime:
    """09:00 on the 10th of this month (or of the previous one before the 10th)."""
    first = today.replace(day=10)
    if today.day < 10:
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    return datetime.combine(first, dtime(9, 0), TZ)


class _National:
    """The running mock as the runner uses it: control, journal, and signed queries."""

    def __init__(self, url: str, token: str, query_secret: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30.0, headers={"X-Hz-Admin-Token": token})
        self.auth = SigningAuth(SUITE_KEY, query_secret)
        self.journal: list[dict[str, Any]] = []
        self.aliases: dict[str, str] = {}

    def control(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        r = self.http.request(method, path, json=body)
        r.raise_for_status()
        return r.json()

    def refresh(self) -> int:
        """Fetch journal entries not seen yet; the number fetched."""
        before = len(self.journal)
        while True:
            after = self.journal[-1]["id"] if self.journal else 0
            page = self.control("GET", f"/_mock/journal?after={after}&limit=5000", None)["entries"]
            if not page:
                return len(self.journal) - before
            self.journal += page
            for e in page:
                for rec in e.get("records") or []:
                    if rec.get("resource") == "manifests" and rec.get("action") == "created":
                        self.aliases.setdefault(str(rec["key"]), "")

    def resolve_aliases(self) -> None:
        """Local references of the manifests created so far (national number → local ref)."""
        for no, ref in list(self.aliases.items()):
            if ref:
                continue
            r = self.http.get(f"/api/v1/manifests/{no}", auth=self.auth)
            if r.status_code == 200:
                self.aliases[no] = r.json().get("local_ref") or no

    def listing(self, path: str, **params: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            q = {**params, "limit": "500", **({"cursor": cursor} if cursor else {})}
            r = self.http.get(f"/api/v1{path}", params=q, auth=self.auth)
            r.raise_for_status()
            body = r.json()
            items += body["items"]
            cursor = body.get("next_cursor")
            if not cursor:
                return items

    def get(self, path: str) -> dict[str, Any] | None:
        r = self.http.get(f"/api/v1{path}", auth=self.auth)
        return r.json() if r.status_code == 200 else None


def certify(driver: Driver, options: RunOptions | None = None) -> RunArtifacts:
    """Certify the system behind ``driver``; the judged result and its evidence."""
    from .judge import judge  # the checks import the context; keep the import graph one-way

    opts = options or RunOptions()
    profile = opts.profile
    scenarios = opts.scenarios if opts.scenarios is not None else list(shipped_scenarios().values())
    show = opts.progress or (lambda _e, _d: None)
    run_id = uuid.uuid4().hex[:16]
    info: SutInfo = driver.info()
    started = datetime.now(TZ)
    sut_key, sut_secret = f"sut-{run_id[:8]}", secrets.token_hex(24)
    token, query_secret = secrets.token_hex(16), secrets.token_hex(24)
    from .world import World

    world = World(seed=opts.seed)
    app = create_app(config=MockConfig(control=True, control_token=token, rate_per_second=1000.0, burst=2000))
    national_state = app.state.national
    begin = opts.business_start or business_start(started.date())
    load(national_state.store, world.seed_in(begin, sut_key, sut_secret))
    load(national_state.store, SeedIn(credentials=[CredentialIn(app_key=SUITE_KEY, secret=query_secret)]))
    national_state.clock.set(begin)
    shared = "shared_clock" in info.capabilities
    durations: dict[str, tuple[float, int]] = {}
    with running(app) as url:
        nat = _National(url, token, query_secret)
        driver.start(
            Session(run_id=run_id, national_url=url, app_key=sut_key, app_secret=sut_secret),
            clock=national_state.clock.now if shared else None,
        )
        try:
            player = Player(driver, world, Mock(national_state.clock.now, nat.control), settle=lambda: None)
            player.settle = lambda: _settle(nat, player, driver, profile, sut_key, profile.settle_s, profile.stall_s)
            for i, scenario in enumerate(scenarios, start=1):
                show("scenario", {"name": scenario.name, "index": i, "of": len(scenarios)})
                t0, events = time.monotonic(), player.events
                player.play(scenario)
                player.settle()
                durations[scenario.name] = (time.monotonic() - t0, player.events - events)
                show("scenario_done", {"name": scenario.name, "seconds": durations[scenario.name][0]})
            show("finishing", {"expected": len(player.expectations)})
            _settle(nat, player, driver, profile, sut_key, profile.sla_max_s)
            if shared and profile.grace_s:
                _grace(nat, player, driver, profile, sut_key, national_state.clock)
        finally:
            driver.stop()
        try:
            nat.refresh()
            nat.resolve_aliases()
            national = _collect(nat, player, national_state)
            tracks_national = {
                ref: nat.listing(f"/manifests/{no}/tracks")
                for no, ref in nat.aliases.items()
                if ref in player.tracks or ref in player.truth.get("manifests", {})
            }
        finally:
            nat.http.close()
    observed, appends = observe(nat.journal, sut_key, nat.aliases)
    ctx = Context(
        profile=profile,
        app_key=sut_key,
        secret=sut_secret,
        expectations=player.expectations,
        observed=observed,
        journal=nat.journal,
        truth=player.truth,
        national=national,
        tracks_truth=player.tracks,
        tracks_national=tracks_national,
        track_events=player.track_events,
        sites=player.sites,
        outages=player.outages,
        outcome_findings=_outcomes(player, scenarios, national, tracks_national),
        event_failures=player.failures,
        driver_answers=player.answers,
        track_appends=appends,
    )
    identity = make_identity(run_id, info.name, info.version, profile, opts.mode, opts.seed, started)
    result, diffs = judge(ctx, identity, scenarios, durations, opts.waivers, opts.checks)
    result.identity.finished_at = datetime.now(TZ)
    return RunArtifacts(result=result, journal=nat.journal, diffs=diffs, context=ctx)


def make_identity(
    run_id: str, sut_name: str, sut_version: str, profile: Profile, mode: str, seed: int, started: datetime
) -> Identity:
    """What makes a run reproducible: the versions of the suite, the contract and its code lists, and the SUT."""
    return Identity(
        run_id=run_id,
        suite_version=SUITE_VERSION,
        contract_version=CONTRACT_VERSION,
        code_lists={"catalogue": editions()[0].edition, "regions": "GB/T 2260-2023"},
        sut_name=sut_name,
        sut_version=sut_version,
        profile=profile.name,
        mode=mode,
        seed=seed,
        started_at=started,
    )


def _missing(nat: _National, player: Player, sut_key: str) -> int:
    nat.refresh()
    nat.resolve_aliases()
    seen = {o.event for o in observe(nat.journal, sut_key, nat.aliases)[0]}
    return sum(e.event not in seen for e in player.expectations)


def _settle(
    nat: _National,
    player: Player,
    driver: Driver,
    profile: Profile,
    sut_key: str,
    limit: float,
    stall: float | None = None,
) -> None:
    """Wait until every expected effect is seen and the SUT is idle.

    Also stop waiting when the SUT is idle and its traffic has been quiet for ``quiet_s``, when nothing
    new arrived for ``stall`` seconds (a stuck SUT must not cost every step the whole limit), or at
    ``limit``.
    """
    deadline = time.monotonic() + limit
    last_traffic, quiet_since = -1, time.monotonic()
    last_missing, progress_at = -1, time.monotonic()
    while time.monotonic() < deadline:
        missing = _missing(nat, player, sut_key)
        idle = driver.status().idle
        if not missing and idle:
            return
        now = time.monotonic()
        if missing != last_missing:
            last_missing, progress_at = missing, now
        traffic = sum(1 for e in nat.journal if e.get("app_key") == sut_key)  # the suite's own queries do not count
        if traffic != last_traffic:
            last_traffic, quiet_since = traffic, now
        elif idle and now - quiet_since >= profile.quiet_s:
            return
        if stall is not None and now - progress_at >= stall:
            return
        time.sleep(0.1)


def _grace(nat: _National, player: Player, driver: Driver, profile: Profile, sut_key: str, clock: Any) -> None:
    """Move the shared business clock on in steps while late records keep arriving."""
    step, moved, idle_steps = 300.0, 0.0, 0
    missing = _missing(nat, player, sut_key)
    while missing and moved < profile.grace_s and idle_steps < 3:
        clock.advance(step)
        moved += step
        _settle(nat, player, driver, profile, sut_key, 5.0, profile.stall_s)
        now_missing = _missing(nat, player, sut_key)
        idle_steps = idle_steps + 1 if now_missing == missing else 0
        missing = now_missing


def _collect(nat: _National, player: Player, state: Any) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The national copies of every resource the run touched, by natural key."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    units = {r["unit_uscc"] for r in player.truth.get("ledger-records", {}).values()}
    for unit in sorted(units):
        for rec in nat.listing("/ledger-records", unit=unit):
            key = f"{rec['unit_uscc']}/{rec['kind']}/{rec['batch_code']}"
            out.setdefault("ledger-records", {}).setdefault(key, []).append(rec)
    for m in nat.listing("/manifests"):
        out.setdefault("manifests", {}).setdefault(m.get("local_ref") or m["manifest_no"], []).append(m)
    for label_id in player.truth.get("labels", {}):
        doc = nat.get(f"/labels/{label_id}")
        if doc is not None:
            out.setdefault("labels", {})[label_id] = [doc]
    if player.truth.get("operation-records"):
        for rec in nat.listing("/operation-records"):
            out.setdefault("operation-records", {}).setdefault(f"{rec['license_no']}/{rec['record_id']}", []).append(
                rec
            )
    for key in player.truth.get("operation-reports", {}):
        stored = state.store.get("operation-reports", key)
        if stored is not None:
            out.setdefault("operation-reports", {})[key] = [json.loads(stored.body)]
    return out


def _outcomes(
    player: Player,
    scenarios: list[Scenario],
    national: dict[str, dict[str, list[dict[str, Any]]]],
    tracks: dict[str, list[dict[str, Any]]],
) -> list[tuple[str, str, str, Any, Any]]:
    """Each scenario's declared national outcome against what the national side shows."""
    out: list[tuple[str, str, str, Any, Any]] = []
    for s in scenarios:
        for name, want in s.expect.manifests.items():
            ref = player.manifest_refs.get((s.name, name))
            copies = national.get("manifests", {}).get(ref or "", [])
            if not copies:
                out.append((s.name, ref or name, "present", True, False))
                continue
            m = copies[-1]
            checks: list[tuple[str, Any, Any]] = []
            if want.status is not None:
                checks.append(("status", want.status, m.get("status")))
            if want.significant_discrepancy is not None:
                checks.append(
                    ("significant_discrepancy", want.significant_discrepancy, m.get("significant_discrepancy"))
                )
            if want.track_points is not None:
                checks.append(("track_points", want.track_points, len(tracks.get(ref or "", []))))
            if want.carriers is not None:
                checks.append(("carriers", want.carriers, len(m.get("carriers") or [])))
            if want.approval is not None:
                checks.append(("approval", want.approval, bool(m.get("approval_no"))))
            for what, expected, actual in checks:
                if expected != actual:
                    out.append((s.name, ref or name, what, expected, actual))
    return out

"""Playing a scenario: turn its steps into driver events, and remember what each must cause nationally."""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from mocks.local import TZ

from .context import Expectation, OutageWindow
from .driver import Driver, Event
from .scenario import Advance, Scenario, Step
from .world import World

__all__ = ["Mock", "Player"]

_ROUTE = {"draft": 0, "submitted": 1, "in_transit": 2, "received": 3}
_ACTION = {"submitted": "submit", "in_transit": "dispatch", "received": "receive"}


class Mock:
    """What the player needs of the national mock: its business clock and its fault controls."""

    def __init__(self, now: Callable[[], datetime], control: Callable[[str, str, dict[str, Any] | None], Any]) -> None:
        self.now = now
        self.control = control

    def fault(self, rule: dict[str, Any]) -> None:
        """Put a fault in force."""
        self.control("POST", "/_mock/faults", rule)

    def clear_faults(self) -> None:
        """Remove every fault."""
        self.control("DELETE", "/_mock/faults", None)


@dataclass
class Player:
    """Plays scenarios through a driver; ``settle`` is called for ``settle`` steps."""

    driver: Driver
    world: World
    mock: Mock
    settle: Callable[[], None]
    expectations: list[Expectation] = field(default_factory=list)
    truth: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    tracks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    track_events: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    sites: dict[str, tuple[tuple[float, float], tuple[float, float]]] = field(default_factory=dict)
    outages: list[OutageWindow] = field(default_factory=list)
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    manifest_refs: dict[tuple[str, str], str] = field(default_factory=dict)
    operations: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0
    _label_sets: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _last_ledger: dict[str, Any] | None = None
    _outage_deadline: float = 0.0
    _serial: int = 0
    _scenario: str = ""

    # -- plumbing -----------------------------------------------------------------------------------------
    def _now(self) -> datetime:
        return self.mock.now().astimezone(TZ).replace(microsecond=0)

    def _perform(self, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        self.events += 1
        result = self.driver.perform(Event(correlation_id=uuid.uuid4().hex, event=event, data=data))
        self.answers.append(result.model_dump_json())
        if result.status != "done":
            self.failures.append((self._scenario, event, f"{result.status}: {result.message or ''}".strip()))
            return None
        return result.result

    def _expect(self, event: str, group: str) -> None:
        outage = bool(self.outages and self.outages[-1].end is None)
        self.expectations.append(
            Expectation(self._scenario, event, group, self.mock.now().timestamp(), during_outage=outage)
        )

    def _truth(self, resource: str, key: str, record: dict[str, Any]) -> None:
        self.truth.setdefault(resource, {})[key] = copy.deepcopy(record)

    # -- scenarios ----------------------------------------------------------------------------------------
    def play(self, scenario: Scenario) -> None:
        """Perform every step of ``scenario`` in order."""
        self._scenario = scenario.name
        for step in scenario.steps:
            if self.outages and self.outages[-1].end is None and time.monotonic() > self._outage_deadline:
                self._restore(Step(restore=True))  # an outage lasts at most its max_s
            getattr(self, "_" + step.verb)(step)
        if self.outages and self.outages[-1].end is None:  # a scenario never leaves the national side down
            self._restore(Step(restore=True))

    def _labels(self, step: Step) -> None:
        spec = step.labels
        assert spec is not None
        ids = []
        for _ in range(spec.count):
            request = self.world.label_request(spec.waste, self._now().date())
            result = self._perform("label.issue", {"request": request})
            if result and isinstance(result.get("label_id"), str):
                label_id = result["label_id"]
                ids.append(label_id)
                self._expect(f"labels/{label_id}", f"labels:{label_id}")
                self._truth("labels", label_id, {**request, "label_id": label_id})
        self._label_sets[(self._scenario, spec.as_)] = ids

    def _manifest(self, step: Step) -> None:
        spec = step.manifest
        assert spec is not None
        self._serial += 1
        now = self._now()
        ref = f"{now.year}320599{(self.world.seed * 37 + self._serial) % 10000:04d}"
        by_code: dict[str, list[str]] = {}
        for name in spec.labels:
            ids = self._label_sets.get((self._scenario, name), [])
            for label_id in ids:
                code = label_id[18:21] + "-" + label_id[21:24] + "-" + label_id[24:26]
                by_code.setdefault(code, []).append(label_id)
        if not by_code:
            self.failures.append((self._scenario, "manifest.save", "no labels were issued for the manifest"))
            return
        # The draft was filled in a while ago and is saved now; dispatch and tracks then fall after it.
        created = now - timedelta(hours=2)
        m = self.world.manifest(ref, created, by_code, cross=spec.cross_province, carriers=spec.carriers)
        self.manifest_refs[(self._scenario, spec.as_)] = ref
        shipper, receiver = m["shipper"]["uscc"], m["receiver"]["uscc"]
        self.sites[ref] = (self.world.site(shipper), self.world.site(receiver))
        self._save(m, ["create"])

    def _save(self, m: dict[str, Any], actions: list[str]) -> None:
        ref = m["manifest_no"]
        if self._perform("manifest.save", {"manifest": m}) is None:
            return
        for action in actions:
            self._expect(f"manifest/{ref}/{action}", f"manifest:{ref}")
        self._truth("manifests", ref, m)

    def _advance(self, step: Step) -> None:
        spec = step.advance
        assert spec is not None
        ref = self.manifest_refs.get((self._scenario, spec.manifest))
        if ref is None or ref not in self.truth.get("manifests", {}):
            return
        m = copy.deepcopy(self.truth["manifests"][ref])
        now = self._now()
        actions = self._route(m["status"], spec)
        points: list[dict[str, Any]] = []
        if "dispatch" in actions:
            track = spec.track
            trip = self.world.trip_seconds(m)
            gap_s = track.gap_s if track and track.gap_after else 0
            # the truck left long enough ago to have arrived now (the local user records the receipt now)
            dispatched = now - timedelta(seconds=round(trip + gap_s + 60))
            m["dispatched_at"] = dispatched.isoformat()
            if track:
                gap = (track.gap_after, track.gap_s) if track.gap_after else None
                points = self.world.track(m, dispatched + timedelta(seconds=30), track.interval_s, gap)
        if spec.to == "received":
            ratio = spec.received_ratio
            for item in m["items"]:
                item["received_t"] = str((Decimal(item["quantity_t"]) * ratio).quantize(Decimal("0.000001")))
            m["significant_discrepancy"] = ratio < Decimal("0.95")
            m["received_at"] = now.isoformat()
        if spec.to == "rejected":
            m["rejection_reason"] = spec.reason
            m["received_at"] = now.isoformat()
        m["status"] = spec.to
        self._save(m, actions)
        if points:
            self._track(ref, points)

    @staticmethod
    def _route(status: str, spec: Advance) -> list[str]:
        if spec.to == "cancelled":
            return ["cancel"]
        if spec.to == "rejected":
            target = _ROUTE["in_transit"]
            tail = ["reject"]
        else:
            target = _ROUTE[spec.to]
            tail = []
        steps = [_ACTION[s] for s, n in _ROUTE.items() if _ROUTE[status] < n <= target]
        return steps + tail

    def _track(self, ref: str, points: list[dict[str, Any]]) -> None:
        if self._perform("manifest.track", {"local_ref": ref, "points": points}) is None:
            return
        self.tracks.setdefault(ref, []).extend(points)
        self.track_events.setdefault(ref, []).append((self.mock.now().timestamp(), len(self.tracks[ref])))

    def _ledger(self, step: Step) -> None:
        spec = step.ledger
        assert spec is not None
        for _ in range(spec.flows):
            for rec in self.world.ledger(list(spec.kinds), self._now(), waste_code=spec.waste):
                self._ledger_record(rec, "")

    def _ledger_record(self, rec: dict[str, Any], suffix: str) -> None:
        if self._perform("ledger.record", {"record": rec}) is None:
            return
        key = f"{rec['unit_uscc']}/{rec['kind']}/{rec['batch_code']}"
        self._expect(f"ledger-records/{key}{suffix}", f"ledger:{rec['unit_uscc']}")
        self._truth("ledger-records", key, rec)
        self._last_ledger = rec

    def _correct(self, step: Step) -> None:
        spec = step.correct
        assert spec is not None and self._last_ledger is not None
        rec = copy.deepcopy(self._last_ledger)
        rec["quantity_t"] = str((Decimal(rec["quantity_t"]) * spec.quantity_factor).quantize(Decimal("0.000001")))
        self._ledger_record(rec, "@update1")

    def _operations(self, step: Step) -> None:
        spec = step.operations
        assert spec is not None
        first = self._now().date().replace(day=1)
        month = (first - timedelta(days=1)).replace(day=1)
        for rec in self.world.operation_records(month, spec.records):
            if self._perform("operation.record", {"record": rec}) is None:
                continue
            key = f"{rec['license_no']}/{rec['record_id']}"
            self._expect(f"operation-records/{key}", f"operations:{rec['license_no']}")
            self._truth("operation-records", key, rec)
            self.operations.append(rec)

    def _report(self, step: Step) -> None:
        first = self._now().date().replace(day=1)
        month: date = (first - timedelta(days=1)).replace(day=1)
        period = f"{month:%Y-%m}"
        records = [r for r in self.operations if r["occurred_at"].startswith(period)]
        report = self.world.operation_report(records, period, self._now())
        if self._perform("operation.report", {"report": report}) is None:
            return
        key = f"{report['license_no']}/monthly/{period}"
        self._expect(f"operation-reports/{key}", f"operations:{report['license_no']}")
        self._truth("operation-reports", key, report)

    def _settle(self, step: Step) -> None:
        self.settle()

    def _fault(self, step: Step) -> None:
        assert step.fault is not None
        self.mock.fault(json.loads(step.fault.model_dump_json()))

    def _clear_faults(self, step: Step) -> None:
        self.mock.clear_faults()

    def _outage(self, step: Step) -> None:
        assert step.outage is not None
        self.mock.fault({"kind": "error", "path": "/api/v1/*", "status": 503, "retry_after_s": 1})
        self.outages.append(OutageWindow(self._scenario, self.mock.now().timestamp()))
        self._outage_deadline = time.monotonic() + step.outage.max_s

    def _restore(self, step: Step) -> None:
        if self.outages and self.outages[-1].end is None:
            # an outage lasts at least a couple of seconds, so the SUT really meets it
            wait = 2.0 - (self.mock.now().timestamp() - self.outages[-1].start)
            if wait > 0:
                time.sleep(wait)
            self.mock.clear_faults()
            self.outages[-1].end = self.mock.now().timestamp()

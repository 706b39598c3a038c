"""What the checks judge: what was asked of the SUT, what the national side recorded, and the local truth.

Expected events are named as the national journal lets them be observed:
``labels/{label_id}``, ``ledger-records/{unit}/{kind}/{batch}`` (a correction adds ``@update1``...),
``manifest/{local ref}/{create|update1…|submit|dispatch|receive|reject|cancel}``,
``operation-records/{licence}/{record id}``, ``operation-reports/{licence}/{type}/{period}``. Times are
business-clock epoch seconds (the mock's clock, which an in-process SUT shares).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .profiles import Profile

__all__ = ["Context", "Expectation", "Observed", "OutageWindow", "observe"]

_MANIFEST_ACTIONS = {"created": "create", "submit": "submit", "dispatch": "dispatch", "receive": "receive"}
_MANIFEST_ACTIONS |= {"reject": "reject", "cancel": "cancel", "updated": "update"}


@dataclass
class Expectation:
    """One national effect a business event must have."""

    scenario: str
    event: str
    group: str
    at: float
    """Business time the event was performed."""
    during_outage: bool = False


@dataclass
class Observed:
    """One national effect as the journal shows it."""

    event: str
    at: float
    """Business time the national side finished the request that had this effect."""
    entry: int
    status: int


@dataclass
class OutageWindow:
    """An outage phase: business and real times of its start and end."""

    scenario: str
    start: float
    end: float | None = None


@dataclass
class Context:
    """Everything a check may look at."""

    profile: Profile
    app_key: str
    secret: str = field(repr=False)
    expectations: list[Expectation]
    observed: list[Observed]
    journal: list[dict[str, Any]]
    truth: dict[str, dict[str, dict[str, Any]]]
    """Resource → natural key → the record as the local system finally holds it (contract form)."""
    national: dict[str, dict[str, list[dict[str, Any]]]]
    """Resource → natural key → the national copies (more than one is a duplicate)."""
    tracks_truth: dict[str, list[dict[str, Any]]]
    tracks_national: dict[str, list[dict[str, Any]]]
    track_events: dict[str, list[tuple[float, int]]]
    """Local ref → (business time played, cumulative point count) per track event."""
    sites: dict[str, tuple[tuple[float, float], tuple[float, float]]]
    """Local ref → (shipper site, receiver site), WGS-84."""
    outages: list[OutageWindow]
    outcome_findings: list[tuple[str, str, str, Any, Any]]
    """(scenario, subject, what, expected, actual) of the scenarios' declared national outcomes."""
    event_failures: list[tuple[str, str, str]]
    """(scenario, event, message) of events the SUT did not perform."""
    driver_answers: list[str] = field(default_factory=list)
    """Raw text of everything the SUT's driver answered (searched for the secret)."""
    track_appends: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    """Local ref → (business time, points added) per national track append."""

    @property
    def sut_entries(self) -> list[dict[str, Any]]:
        """Journal entries of the SUT's requests (the suite's own queries left out)."""
        return [e for e in self.journal if e.get("app_key") == self.app_key]

    def scenario_of(self) -> dict[str, str]:
        """Expected event → the scenario that asked for it."""
        return {e.event: e.scenario for e in self.expectations}


def observe(
    journal: Iterable[Mapping[str, Any]], app_key: str, aliases: Mapping[str, str]
) -> tuple[list[Observed], dict[str, list[tuple[float, int]]]]:
    """Effects of the SUT's requests in journal order, and track appends per local ref.

    A request counts if the national side committed it, whatever it answered (a commit whose answer
    was lost still took effect); replays of a stored answer are not new effects.
    """
    out: list[Observed] = []
    appends: dict[str, list[tuple[float, int]]] = {}
    updates: dict[str, int] = {}
    for entry in journal:
        if entry.get("app_key") != app_key or entry.get("replayed"):
            continue
        done = float(entry.get("business_at") or 0.0) + (
            float(entry.get("finished_at") or entry["arrived_at"]) - float(entry["arrived_at"])
        )
        for rec in entry.get("records") or []:
            resource, key, action = rec.get("resource"), str(rec.get("key")), str(rec.get("action"))
            name: str | None = None
            if resource in ("ledger-records", "operation-records") and action in ("created", "updated"):
                name = f"{resource}/{key}"
                if action == "updated":
                    updates[name] = updates.get(name, 0) + 1
                    name = f"{name}@update{updates[name]}"
            elif resource in ("labels", "operation-reports") and action == "created":
                name = f"{resource}/{key}"
            elif resource == "manifests" and action in _MANIFEST_ACTIONS:
                name = f"manifest/{aliases.get(key, key)}/{_MANIFEST_ACTIONS[action]}"
                if action == "updated":  # each edit of a draft is its own effect: update1, update2, ...
                    updates[name] = updates.get(name, 0) + 1
                    name = f"{name}{updates[name]}"
            elif resource == "tracks" and action.startswith("appended:"):
                appends.setdefault(aliases.get(key, key), []).append((done, int(action.split(":", 1)[1])))
            if name is not None:
                out.append(Observed(name, done, int(entry["id"]), int(entry.get("status") or 0)))
    return out, appends

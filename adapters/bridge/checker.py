"""A Jepsen-style checker over the national journal: lost, duplicated, unexpected and reordered records.

It judges the recorded history, not the bridge's logs. Expected events are ``(group, event)`` pairs
in the order they must take effect, e.g. ``("ledger:9132…", "ledger-records/9132…/generate/HWCS…")``,
``("manifest:L001", "manifest/L001/submit")``, ``("operation:9132…", "operation-records/<licence>/<id>")``
or ``("operation:9132…", "operation-reports/<licence>/monthly/2024-03")``. Observed events come from the journal entries
(plain dicts as ``GET /_mock/journal`` gives them): each record a non-replayed request created,
updated or moved along its lifecycle, whatever status it answered (a commit whose answer failed
still counts). Manifest numbers are mapped back to local references with
``aliases`` (national number → local ref), since the national side numbers manifests itself.
A draft's content update is ``manifest/<ref>/update``: one event name per manifest, so a test that
expects several updates of one manifest sees the second as a duplicate and must count them itself.

- lost: expected, never observed;
- duplicated: observed more than once (a second create of one manifest, a second write of a record);
- unexpected: observed, never expected;
- reordered: inside a group, an event that took effect before one expected ahead of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Verdict", "check", "observed_events"]

_MANIFEST_ACTIONS = {"created": "create", "submit": "submit", "dispatch": "dispatch", "receive": "receive"}
_MANIFEST_ACTIONS |= {"reject": "reject", "cancel": "cancel", "updated": "update"}


@dataclass
class Verdict:
    """The four classes of anomaly, each a list of event names; ``ok`` when all are empty."""

    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    reordered: list[str] = field(default_factory=list)
    observed: int = 0

    @property
    def ok(self) -> bool:
        """No anomaly of any class."""
        return not (self.lost or self.duplicated or self.unexpected or self.reordered)

    def counts(self) -> dict[str, int]:
        """The size of each class."""
        return {k: len(getattr(self, k)) for k in ("lost", "duplicated", "unexpected", "reordered")}


def observed_events(journal: Iterable[Mapping[str, Any]], aliases: Mapping[str, str]) -> list[str]:
    """Events in the order the national side applied them (journal order)."""
    out: list[str] = []
    for entry in journal:
        # What was committed counts, whatever the answer said (commit_then_fail answers 500 after storing).
        if entry.get("replayed"):
            continue
        for rec in entry.get("records") or []:
            resource, key, action = rec.get("resource"), str(rec.get("key")), str(rec.get("action"))
            if resource == "ledger-records" and action in ("created", "updated"):
                out.append(f"ledger-records/{key}")
            elif resource in ("operation-records", "operation-reports") and action in ("created", "updated"):
                out.append(f"{resource}/{key}")
            elif resource == "manifests" and action in _MANIFEST_ACTIONS:
                out.append(f"manifest/{aliases.get(key, key)}/{_MANIFEST_ACTIONS[action]}")
    return out


def check(
    expected: Sequence[tuple[str, str]], journal: Iterable[Mapping[str, Any]], aliases: Mapping[str, str] | None = None
) -> Verdict:
    """Compare the expected events with what the journal shows."""
    events = observed_events(journal, aliases or {})
    verdict = Verdict(observed=len(events))
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, e in enumerate(events):
        counts[e] = counts.get(e, 0) + 1
        first.setdefault(e, i)
    wanted = {e for _, e in expected}
    verdict.lost = [e for _, e in expected if e not in counts]
    verdict.duplicated = sorted(e for e, n in counts.items() if n > 1)
    verdict.unexpected = sorted(e for e in counts if e not in wanted)
    groups: dict[str, list[str]] = {}
    for g, e in expected:
        groups.setdefault(g, []).append(e)
    for events_in_group in groups.values():
        latest = -1
        for e in events_in_group:
            at = first.get(e)
            if at is None:
                continue
            if at < latest:
                verdict.reordered.append(e)
            latest = max(latest, at)
    return verdict

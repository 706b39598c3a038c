"""Health per unit and resource, computed from one reconciliation, the sides' bucket counts and the lag samples.

The reconciliation gives per-resource totals; the monitor also wants per-unit figures, so it counts
each side's records per unit from the bucket digests (cheap: one count per bucket) and the kept
differences per unit. When a resource has more differences than the kept ``limit`` the per-unit
difference counts are those of the kept ones (the resource total stays exact).

**Lag** is how long a local record waits before the national side holds it as the local system
does. The national API does not say when it accepted a record, so the monitor observes it: a record
missing nationally (or stale there) is *pending* since its latest business time; its age counts as a
lag sample while it waits, and once a later cycle finds it delivered its lag is frozen at that cycle's
time (an upper bound, to within one interval). p50 and p95 are over a cycle's samples.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel

__all__ = ["Health", "Pending", "event_time", "percentile", "unit_health"]

_TIME_FIELDS = ("occurred_at", "created_at", "dispatched_at", "received_at", "submitted_at", "issued_at")
PENDING_KINDS = ("missing_national", "stale")


class Health(BaseModel):
    """One unit's figures for one resource in one cycle."""

    unit: str
    resource: str
    local_count: int = 0
    national_count: int = 0
    matched: int = 0
    missing_national: int = 0
    missing_local: int = 0
    mismatched: int = 0
    stale: int = 0
    duplicates: int = 0
    completeness_pct: float = 100.0
    accuracy_pct: float = 100.0
    lag_p50_s: float | None = None
    lag_p95_s: float | None = None
    backlog: int = 0
    overdue: int = 0


class Pending(BaseModel):
    """A record the national side does not hold as the local one does, and since when it has waited."""

    resource: str
    key: str
    unit: str
    event_at: datetime


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100) by nearest rank; ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


def _parse(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else None
    return None


def event_time(record: Mapping[str, Any] | None) -> datetime | None:
    """The latest business time a record carries (its last step must reach the national side)."""
    if not record:
        return None
    times = [t for t in (_parse(record.get(f)) for f in _TIME_FIELDS) if t is not None]
    return max(times) if times else None


def _zeroed(unit: str, resource: str) -> Health:
    return Health(unit=unit, resource=resource)


def unit_health(
    counts: Mapping[tuple[str, str], tuple[int, int]],
    differences: Iterable[Any],
    lag_samples: Mapping[tuple[str, str], list[float]],
    overdue: Mapping[tuple[str, str], int],
) -> list[Health]:
    """Health rows, one per (unit, resource) seen on either side, sorted by unit then resource.

    ``counts``: (unit, resource) → (local records, national records); ``differences``: objects with
    ``resource``, ``unit`` and ``kind`` (``conformance.reconcile.model.Difference``).
    """
    rows: dict[tuple[str, str], Health] = {}
    for (unit, resource), (n_local, n_national) in counts.items():
        rows[(unit, resource)] = Health(unit=unit, resource=resource, local_count=n_local, national_count=n_national)
    kinds: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d in differences:
        key = (d.unit or "?", d.resource)
        rows.setdefault(key, _zeroed(*key))
        kinds[key][d.kind] += 1
    for key in list(overdue) + list(lag_samples):
        rows.setdefault(key, _zeroed(*key))
    for key, h in rows.items():
        k = kinds.get(key, {})
        h.missing_national, h.missing_local = k.get("missing_national", 0), k.get("missing_local", 0)
        h.mismatched, h.stale = k.get("mismatch", 0), k.get("stale", 0)
        h.duplicates = k.get("duplicate_local", 0) + k.get("duplicate_national", 0)
        present = max(0, h.local_count - h.missing_national - k.get("duplicate_local", 0))
        h.matched = max(0, present - h.mismatched - h.stale)
        both = h.matched + h.mismatched + h.stale
        done = max(0, h.local_count - h.missing_national)
        h.completeness_pct = 100.0 if not h.local_count else 100.0 * done / h.local_count
        h.accuracy_pct = 100.0 if not both else 100.0 * h.matched / both
        h.backlog = h.missing_national + h.stale
        samples = lag_samples.get(key, [])
        h.lag_p50_s, h.lag_p95_s = percentile(samples, 50), percentile(samples, 95)
        h.overdue = overdue.get(key, 0)
    return [rows[k] for k in sorted(rows)]

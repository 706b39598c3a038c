"""Reconciliation of a local side with the national side: digests first, then a streamed merge.

Per resource: both sides give per-bucket digests; buckets whose count and hash agree hold identical
records and are counted as matched without being read. The buckets that differ, or exist on one side
only, are read one unit at a time (both sides in natural-key order) and merged, so memory holds one
unit's differing buckets, never a whole side. A record whose bucket moved (say, its ``occurred_at``
changed day) is still paired with its copy, because both of its buckets differ and a unit's buckets
are read together; a record that moved to another unit shows as missing on both sides.

Kinds found: ``missing_national``, ``missing_local``, ``mismatch`` (fields beyond tolerance),
``stale`` (a mismatch where the local copy's ``updated_at`` is after the national copy's, i.e. a
change not yet sent; without both times it stays a mismatch), ``duplicate_local`` and
``duplicate_national`` (a natural key seen again on the same side; the first copy is the one compared).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .compare import Tolerances, diff_records
from .model import RESOURCES, Bucket, BucketDigest, Difference, DifferenceKind, ReconcileReport, ResourceSummary, Side
from .resources import WRITE_TIME, Record, ResourceSpec, spec_of

__all__ = ["Progress", "ProgressCallback", "reconcile"]

PROGRESS_EVERY = 10_000


@dataclass(frozen=True)
class Progress:
    """Records read so far from each side, in one phase (``digests`` or ``records``) of one resource."""

    resource: str
    phase: str
    local_records: int
    national_records: int
    done: bool = False


ProgressCallback = Callable[[Progress], None]


class _Run:
    """The reconciliation of one resource."""

    def __init__(self, resource: str, tol: Tolerances, limit: int, progress: ProgressCallback | None) -> None:
        self.resource = resource
        self.spec: ResourceSpec = spec_of(resource)
        self.tol = tol
        self.limit = limit
        self.progress = progress
        self.summary = ResourceSummary(resource=resource)
        self.differences: list[Difference] = []
        self.truncated = False

    def tick(self, phase: str, *, done: bool = False) -> None:
        if self.progress is not None:
            s = self.summary
            self.progress(Progress(self.resource, phase, s.records_read_local, s.records_read_national, done))

    def add(self, kind: DifferenceKind, key: str, local: Record | None, national: Record | None, **kw: Any) -> None:
        s = self.summary
        if kind == "missing_national":
            s.missing_national += 1
        elif kind == "missing_local":
            s.missing_local += 1
        elif kind == "mismatch":
            s.mismatched += 1
        elif kind == "stale":
            s.stale += 1
        else:
            s.duplicates += 1
        if len(self.differences) >= self.limit:
            self.truncated = True
            return
        rec = local if local is not None else national
        assert rec is not None
        unit, day = self.spec.bucket(rec)
        self.differences.append(
            Difference(
                resource=self.resource,
                kind=kind,
                key=key,
                unit=None if unit == "?" else unit,
                day=None if day == "?" else date.fromisoformat(day),
                local=local,
                national=national,
                **kw,
            )
        )

    def run(self, local: Side, national: Side) -> None:
        s = self.summary
        ld = _by_bucket(local.digests(self.resource, None))
        nd = _by_bucket(national.digests(self.resource, None))
        # A side that cannot list every bucket (the national API without a listing) is asked for the
        # local side's buckets by name.
        ask = [b for b in ld if b not in nd]
        if ask:
            nd.update(_by_bucket(national.digests(self.resource, ask)))
        s.local_count = sum(d.count for d in ld.values())
        s.national_count = sum(d.count for d in nd.values())
        self.tick("digests", done=True)
        differing: list[Bucket] = []
        for b in ld.keys() | nd.keys():
            dl, dn = ld.get(b), nd.get(b)
            if dl is not None and dn is not None and (dl.count, dl.sha256) == (dn.count, dn.sha256):
                s.matched += dl.count
            else:
                differing.append(b)
        s.buckets_total = len(ld.keys() | nd.keys())
        s.buckets_differing = len(differing)
        differing.sort(key=lambda b: (b.unit, b.day))
        for _, group in itertools.groupby(differing, key=lambda b: b.unit):
            buckets = list(group)
            self.merge(
                self._counted(local.records(self.resource, buckets), True),
                self._counted(national.records(self.resource, buckets), False),
            )
        self.tick("records", done=True)

    def _counted(self, records: Iterable[Record], is_local: bool) -> Iterator[tuple[str, list[Record]]]:
        """Records grouped by natural key, counting reads and checking the side keeps key order."""
        last: str | None = None
        s = self.summary
        for key, group in itertools.groupby(records, key=self.spec.natural_key):
            if last is not None and key < last:
                raise ValueError(f"side gave {self.resource} records out of natural-key order ({key} after {last})")
            last = key
            recs = list(group)
            before = s.records_read_local + s.records_read_national
            if is_local:
                s.records_read_local += len(recs)
            else:
                s.records_read_national += len(recs)
            if (before + len(recs)) // PROGRESS_EVERY != before // PROGRESS_EVERY:
                self.tick("records")
            yield key, recs

    def merge(self, left: Iterator[tuple[str, list[Record]]], right: Iterator[tuple[str, list[Record]]]) -> None:
        lk, lrecs = next(left, (None, []))
        rk, rrecs = next(right, (None, []))
        while lk is not None or rk is not None:
            if rk is None or (lk is not None and lk < rk):
                assert lk is not None
                self.duplicates(lk, lrecs, "duplicate_local")
                self.add("missing_national", lk, lrecs[0], None)
                lk, lrecs = next(left, (None, []))
            elif lk is None or rk < lk:
                self.duplicates(rk, rrecs, "duplicate_national")
                self.add("missing_local", rk, None, rrecs[0])
                rk, rrecs = next(right, (None, []))
            else:
                self.duplicates(lk, lrecs, "duplicate_local")
                self.duplicates(rk, rrecs, "duplicate_national")
                self.pair(lk, lrecs[0], rrecs[0])
                lk, lrecs = next(left, (None, []))
                rk, rrecs = next(right, (None, []))

    def duplicates(self, key: str, recs: Sequence[Record], kind: DifferenceKind) -> None:
        for extra in recs[1:]:
            self.add(
                kind, key, extra if kind == "duplicate_local" else None, extra if kind != "duplicate_local" else None
            )

    def pair(self, key: str, local: Record, national: Record) -> None:
        fields = diff_records(self.resource, local, national, self.tol)
        if not fields:
            self.summary.matched += 1
            return
        kind: DifferenceKind = "stale" if _later(local.get(WRITE_TIME), national.get(WRITE_TIME)) else "mismatch"
        self.add(kind, key, local, national, fields=fields)


def _by_bucket(digests: Iterable[BucketDigest]) -> dict[Bucket, BucketDigest]:
    return {d.bucket: d for d in digests if d.count}


def _later(local: Any, national: Any) -> bool:
    """Whether the local write time is after the national one (False when either is missing or unreadable)."""
    try:
        return datetime.fromisoformat(str(local)) > datetime.fromisoformat(str(national))
    except (TypeError, ValueError):
        return False


def reconcile(
    local: Side,
    national: Side,
    resources: Sequence[str] = RESOURCES,
    *,
    limit: int = 1000,
    tolerances: Tolerances | None = None,
    progress: ProgressCallback | None = None,
) -> ReconcileReport:
    """Reconcile ``local`` with ``national`` for each resource (see the module docstring).

    ``limit`` caps the differences kept per resource (the summaries always count all of them);
    ``progress`` is called with :class:`Progress` every 10,000 records read and at the end of each phase.
    """
    tol = tolerances or Tolerances()
    report = ReconcileReport(local=local.name, national=national.name)
    for resource in resources:
        run = _Run(resource, tol, limit, progress)
        run.run(local, national)
        report.summaries.append(run.summary)
        report.differences += run.differences
        report.truncated |= run.truncated
    return report

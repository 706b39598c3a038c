"""The shapes reconciliation works in: sides, buckets, differences and per-resource summaries.

A **side** is one store of contract records (the local system read through its adapter, the national
query API, a file). Records are grouped in **buckets** (one unit's records of one resource on one
day); a side can give per-bucket digests cheaply (``contracts.canonical.digest_of`` over canonical
JSON), and the records of chosen buckets. Reconciliation compares digests first and reads records only
for buckets that differ, streaming them in key order so memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

__all__ = [
    "RESOURCES",
    "Bucket",
    "BucketDigest",
    "Difference",
    "DifferenceKind",
    "FieldDiff",
    "ReconcileReport",
    "ResourceSummary",
    "Side",
]

RESOURCES = ("labels", "ledger-records", "manifests", "operation-records")
"""Resources reconciled, named as the national API names them."""

DifferenceKind = Literal[
    "missing_national",  # the local system has it, the national side does not
    "missing_local",  # the national side has it, the local system does not
    "mismatch",  # both have it, some field differs beyond its tolerance
    "stale",  # the local copy changed after the national one was written
    "duplicate_local",  # one natural key twice in the local system
    "duplicate_national",  # one natural key twice nationally (e.g. one local manifest created twice)
]


class Bucket(BaseModel, frozen=True):
    """One unit's records of one resource on one day (the day of the record's business date, UTC+8)."""

    resource: str
    unit: str
    day: date


class BucketDigest(BaseModel, frozen=True):
    """A bucket's record count and SHA-256 over the canonical JSON of its records."""

    bucket: Bucket
    count: int = Field(ge=0)
    sha256: str


class FieldDiff(BaseModel):
    """One field that differs: its JSON path, both values, and the tolerance that was applied."""

    path: str
    local: Any = None
    national: Any = None
    rule: str = Field(default="exact", description="exact, decimal(6), distance(30 m), time(1 s), ...")
    note: str | None = Field(default=None, description="A hint at the likely cause, e.g. kilograms sent as tonnes")


class Difference(BaseModel):
    """One record that does not reconcile, with what shows it."""

    resource: str
    kind: DifferenceKind
    key: str = Field(description="The natural key, e.g. unit/kind/batch for ledger records, local ref for manifests")
    unit: str | None = None
    day: date | None = None
    fields: list[FieldDiff] = Field(default_factory=list)
    local: dict[str, Any] | None = None
    national: dict[str, Any] | None = None


class ResourceSummary(BaseModel):
    """Figures of one resource after reconciliation."""

    resource: str
    local_count: int = 0
    national_count: int = 0
    matched: int = 0
    missing_national: int = 0
    missing_local: int = 0
    mismatched: int = 0
    stale: int = 0
    duplicates: int = 0
    buckets_total: int = 0
    buckets_differing: int = 0
    records_read_local: int = Field(default=0, description="Records read from the local side (differing buckets)")
    records_read_national: int = Field(default=0, description="Records read from the national side")

    @property
    def completeness_pct(self) -> float:
        """Share of local records present nationally (100 when there is nothing to send)."""
        return 100.0 if not self.local_count else 100.0 * (self.local_count - self.missing_national) / self.local_count

    @property
    def accuracy_pct(self) -> float:
        """Share of records present on both sides whose fields agree."""
        both = self.matched + self.mismatched + self.stale
        return 100.0 if not both else 100.0 * self.matched / both


class Side(Protocol):
    """One store of contract records, as reconciliation reads it."""

    name: str

    def digests(self, resource: str, buckets: Iterable[Bucket] | None = None) -> Iterable[BucketDigest]:
        """Digests of these buckets, or of every non-empty bucket of ``resource`` when ``None`` (any order)."""
        ...

    def records(self, resource: str, buckets: Iterable[Bucket]) -> Iterator[dict[str, Any]]:
        """The records (contract form, plain JSON values) of these buckets, in natural-key order."""
        ...


class ReconcileReport(BaseModel):
    """A reconciliation of two sides: per-resource figures and the differences found.

    ``differences`` keeps the first ``limit`` differences per resource (the counts in ``summaries``
    are always complete), so a bad day cannot exhaust memory.
    """

    local: str
    national: str
    summaries: list[ResourceSummary] = Field(default_factory=list)
    differences: list[Difference] = Field(default_factory=list)
    truncated: bool = False

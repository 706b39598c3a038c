"""Reconciliation of a local system with the national system, and regulatory timeliness.

``reconcile(local, national)`` compares per-bucket digests and merges the records of differing
buckets; sides are ``MemorySide``, ``NdjsonSide`` and ``NationalApiSide``; ``overdue`` lists what
is late by the regulations' deadlines.
"""

from .compare import ResourceRules, Tolerances, diff_records
from .engine import Progress, ProgressCallback, reconcile
from .model import (
    RESOURCES,
    Bucket,
    BucketDigest,
    Difference,
    DifferenceKind,
    FieldDiff,
    ReconcileReport,
    ResourceSummary,
    Side,
)
from .national import NationalApiSide, UnsupportedResource
from .resources import SPECS, WRITE_TIME, ResourceSpec
from .sides import MemorySide, NdjsonSide
from .timeliness import Overdue, TimelinessRules, check_ledger, check_manifests, check_reports, overdue

__all__ = [
    "RESOURCES",
    "SPECS",
    "WRITE_TIME",
    "Bucket",
    "BucketDigest",
    "Difference",
    "DifferenceKind",
    "FieldDiff",
    "MemorySide",
    "NationalApiSide",
    "NdjsonSide",
    "Overdue",
    "Progress",
    "ProgressCallback",
    "ReconcileReport",
    "ResourceRules",
    "ResourceSpec",
    "ResourceSummary",
    "Side",
    "TimelinessRules",
    "Tolerances",
    "UnsupportedResource",
    "check_ledger",
    "check_manifests",
    "check_reports",
    "diff_records",
    "overdue",
    "reconcile",
]

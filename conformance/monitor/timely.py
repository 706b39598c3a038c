"""Overdue items of a cycle, from the timeliness rules of ``conformance.reconcile.timeliness``.

The rules want both sides' records; reading every national record each cycle would cost a full
listing, so the cycle gives them what it already knows: every local record, and as national copies
the national records of the differences plus, for every record that reconciled, its local copy (it
matched, so the national one is the same). Records beyond the kept differences (``limit``) are then
judged by their local copy.

When ``operation-records`` is monitored, the report rules (``report.missing``, ``report.filed_late``)
run too: the periods owed follow from the local operation records (and the national ones the local
side lacks), the filed reports are the national side's (``GET /api/v1/operation-reports``), so a
monthly report not filed by the 15th of the next month, or an annual one by 31 January, is overdue.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

__all__ = ["overdue_items", "track_differences"]

_ARGS = {"manifests": ("manifests_local", "manifests_national"), "ledger-records": ("ledger_local", "ledger_national")}


def _local_records(local: Any, resource: str) -> list[dict[str, Any]]:
    buckets = [b for b in local.seen if b.resource == resource]
    return list(local.records(resource, buckets)) if buckets else []


def _national_reports(national: Any) -> list[dict[str, Any]]:
    side = getattr(national, "side", national)  # a CountingSide wraps the national side
    listing = getattr(side, "operation_reports", None)
    return list(listing()) if listing is not None else []


def overdue_items(local: Any, report: Any, resources: Sequence[str], now: datetime, national: Any = None) -> list[Any]:
    """Overdue items (``Overdue``) for the resources the rules cover; ``local`` is a ``CountingSide``.

    ``national`` (the national side, possibly wrapped) gives the filed operation reports.
    """
    from conformance.reconcile.resources import spec_of
    from conformance.reconcile.timeliness import overdue

    kwargs: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        if resource not in _ARGS:
            continue
        spec = spec_of(resource)
        local_recs = _local_records(local, resource)
        diffs = [d for d in report.differences if d.resource == resource]
        missing = {d.key for d in diffs if d.kind == "missing_national"}
        copies = {d.key: d.national for d in diffs if d.national is not None}
        for r in local_recs:
            k = spec.natural_key(r)
            if k not in missing:
                copies.setdefault(k, r)
        kwargs[_ARGS[resource][0]], kwargs[_ARGS[resource][1]] = local_recs, list(copies.values())
    if "operation-records" in resources:
        ops = "operation-records"
        owed = _local_records(local, ops)
        owed += [d.national for d in report.differences if d.resource == ops and d.local is None and d.national]
        kwargs["operation_records"] = owed
        kwargs["operation_reports"] = _national_reports(national) if national is not None else []
    return list(overdue(now, **kwargs)) if kwargs else []  # type: ignore[arg-type]


def track_differences(local: Any, national: Any, report: Any) -> int:
    """Compare the tracks of the manifests both sides hold (``conformance.reconcile.tracks``), adding to ``report``.

    Runs when the local side has tracks (``TrackedSide``) and the national side can read one
    (``NationalApiSide.track``); ``local`` and ``national`` are ``CountingSide`` wrappers. Returns how
    many manifests' tracks differ.
    """
    from conformance.reconcile.tracks import RESOURCE, reconcile_tracks

    tracks = getattr(getattr(local, "side", local), "tracks", None)
    read = getattr(getattr(national, "side", national), "track", None)
    if tracks is None or read is None:
        return 0
    manifests = _local_records(local, RESOURCE)
    return reconcile_tracks(
        report, manifests, tracks, read, national_manifests=lambda buckets: national.records(RESOURCE, buckets)
    )

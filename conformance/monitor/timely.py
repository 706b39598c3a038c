"""Overdue items of a cycle, from the timeliness rules of ``conformance.reconcile.timeliness``.

The rules want both sides' records; reading every national record each cycle would cost a full
listing, so the cycle gives them what it already knows: every local record, and as national copies
the national records of the differences plus, for every record that reconciled, its local copy (it
matched, so the national one is the same). Records beyond the kept differences (``limit``) are then
judged by their local copy. Operation reports are not reconciled resources, so the report rules
(``report.missing`` …) are not run by the monitor.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

__all__ = ["overdue_items"]

_ARGS = {"manifests": ("manifests_local", "manifests_national"), "ledger-records": ("ledger_local", "ledger_national")}


def overdue_items(local: Any, report: Any, resources: Sequence[str], now: datetime) -> list[Any]:
    """Overdue items (``Overdue``) for the resources the rules cover; ``local`` is a ``CountingSide``."""
    from conformance.reconcile.resources import spec_of
    from conformance.reconcile.timeliness import overdue

    kwargs: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        if resource not in _ARGS:
            continue
        spec = spec_of(resource)
        buckets = [b for b in local.seen if b.resource == resource]
        local_recs = list(local.records(resource, buckets)) if buckets else []
        diffs = [d for d in report.differences if d.resource == resource]
        missing = {d.key for d in diffs if d.kind == "missing_national"}
        copies = {d.key: d.national for d in diffs if d.national is not None}
        for r in local_recs:
            k = spec.natural_key(r)
            if k not in missing:
                copies.setdefault(k, r)
        kwargs[_ARGS[resource][0]], kwargs[_ARGS[resource][1]] = local_recs, list(copies.values())
    return list(overdue(now, **kwargs)) if kwargs else []  # type: ignore[arg-type]

"""Manifests' transport tracks compared fix by fix, for manifests both sides hold.

A track is a list of fixes (``contracts.TrackPoint``: ``recorded_at``, ``lat``, ``lon`` …). Fixes are
paired by their time to the second (``Tolerances.time_resolution_s``); a local fix with no national fix
at that time is missing nationally, a national fix with no local one is extra, and a pair further apart
than ``Tolerances.distance_m`` differs (an offset in the GCJ-02 band carries the hint). Each finding is
a :class:`~conformance.reconcile.model.FieldDiff` with the path ``track[<recorded_at>]``; the findings
of one manifest join its ``mismatch`` difference (a new one when its fields agreed), so the resource's
figures count a manifest once whatever differs in it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from .compare import GCJ_HINT, Tolerances, distance_m
from .model import Bucket, Difference, FieldDiff, ReconcileReport
from .resources import Record, spec_of

__all__ = ["TRACK_RULES", "diff_tracks", "reconcile_tracks"]

TRACK_RULES = ("track: missing nationally", "track: extra nationally")
RESOURCE = "manifests"


def _second(value: Any, resolution: int) -> int | None:
    try:
        when = datetime.fromisoformat(str(value).replace("z", "Z")).astimezone(UTC)
    except (TypeError, ValueError):
        return None
    return math.floor(when.timestamp()) // resolution


def _fixes(points: Iterable[Record], resolution: int) -> dict[int, Record]:
    out: dict[int, Record] = {}
    for p in points:
        s = _second(p.get("recorded_at"), resolution)
        if s is not None:
            out.setdefault(s, p)
    return out


def _where(p: Record) -> list[float] | None:
    try:
        return [float(p["lat"]), float(p["lon"])]
    except (KeyError, TypeError, ValueError):
        return None


def diff_tracks(local: Iterable[Record], national: Iterable[Record], tol: Tolerances | None = None) -> list[FieldDiff]:
    """The fixes in which two copies of one track differ (empty when they agree), in time order."""
    t = tol or Tolerances()
    mine, theirs = _fixes(local, t.time_resolution_s), _fixes(national, t.time_resolution_s)
    out: list[FieldDiff] = []
    for s in sorted(mine.keys() | theirs.keys()):
        a, b = mine.get(s), theirs.get(s)
        path = f"track[{(a or b or {}).get('recorded_at')}]"
        if b is None:
            out.append(FieldDiff(path=path, local=_where(a or {}), national=None, rule=TRACK_RULES[0]))
        elif a is None:
            out.append(FieldDiff(path=path, local=None, national=_where(b), rule=TRACK_RULES[1]))
        else:
            pa, pb = _where(a), _where(b)
            if pa is None or pb is None:
                if pa != pb:
                    out.append(FieldDiff(path=path, local=pa, national=pb, rule="exact"))
                continue
            d = distance_m(*pa, *pb)
            if d > t.distance_m:
                lo, hi = t.gcj_band_m
                rule = f"distance({t.distance_m:g} m): {d:.0f} m apart"
                out.append(
                    FieldDiff(path=path, local=pa, national=pb, rule=rule, note=GCJ_HINT if lo <= d <= hi else None)
                )
    return out


def reconcile_tracks(
    report: ReconcileReport,
    local_manifests: Iterable[Record],
    local_tracks: Mapping[str, Sequence[Record]],
    national_track: Callable[[str], Sequence[Record]],
    *,
    national_manifests: Callable[[Sequence[Bucket]], Iterable[Record]] | None = None,
    tol: Tolerances | None = None,
) -> int:
    """Compare the tracks of the manifests both sides hold and add the findings to ``report``; returns how many differ.

    ``local_manifests`` are the local manifests, ``local_tracks`` their fixes by local ref (a manifest
    without an entry has no local fixes);
    ``national_track(no)`` reads the national track of national number ``no``. The national number of
    a manifest comes from the national copy kept in a difference, else from the local copy (a manifest
    whose bucket digest matched holds the same number), else from ``national_manifests(buckets)``.
    """
    spec = spec_of(RESOURCE)
    diffs = [d for d in report.differences if d.resource == RESOURCE]
    absent = {d.key for d in diffs if d.kind == "missing_national"}
    kept = {d.key: d for d in diffs if d.kind in ("mismatch", "stale") and d.national is not None}
    numbers = {
        k: str(d.national["manifest_no"]) for k, d in kept.items() if d.national and d.national.get("manifest_no")
    }
    both: dict[str, Record] = {}
    for m in local_manifests:
        key = spec.natural_key(m)
        if key not in absent and key not in both:
            both[key] = m
            if key not in numbers and m.get("manifest_no"):
                numbers[key] = str(m["manifest_no"])
    unknown = [k for k in both if k not in numbers]
    if unknown and national_manifests is not None:
        buckets = sorted(
            {
                Bucket(resource=RESOURCE, unit=u, day=datetime.fromisoformat(d).date())
                for u, d in (spec.bucket(both[k]) for k in unknown)
                if u != "?"
            },
            key=lambda b: (b.unit, b.day),
        )
        for rec in national_manifests(buckets):
            k = spec.natural_key(rec)
            if k in both and k not in numbers and rec.get("manifest_no"):
                numbers[k] = str(rec["manifest_no"])
    summary = next((s for s in report.summaries if s.resource == RESOURCE), None)
    differing = 0
    for key in sorted(both):
        no = numbers.get(key)
        if no is None:
            continue  # the national number is unknown: the track cannot be read
        fields = diff_tracks(local_tracks.get(key, ()), national_track(no), tol)
        if not fields:
            continue
        differing += 1
        if key in kept:
            kept[key].fields += fields
            continue
        local = both[key]
        unit, day = spec.bucket(local)
        report.differences.append(
            Difference(
                resource=RESOURCE,
                kind="mismatch",
                key=key,
                unit=None if unit == "?" else unit,
                day=None if day == "?" else datetime.fromisoformat(day).date(),
                fields=fields,
                local=local,
                national=None,  # the national copy agreed; the fields carry the national fixes
            )
        )
        if summary is not None:
            summary.mismatched += 1
            summary.matched = max(0, summary.matched - 1)
    return differing

"""Field-by-field comparison of two copies of a record, with unit-, precision- and datum-aware tolerances.

- quantities in tonnes (fields ending ``_t``) are compared as ``Decimal`` rounded to 6 places; a
  1000× ratio carries the hint that kilograms were sent as tonnes;
- coordinates (an object holding ``lat``/``lon`` or ``latitude``/``longitude``) by great-circle
  distance; an offset of a few hundred metres hints at GCJ-02 coordinates sent as WGS-84;
- times (RFC 3339 text with offset) to the second, whatever the offset;
- text, when configured, after Unicode NFKC and whitespace collapsing;
- lists by position; fields the national system assigns, and ``updated_at``, are ignored.

Rules are per resource: paths to ignore or to compare exactly (``items[*].received_t`` matches any
index), and whether text is normalised.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .model import FieldDiff
from .resources import META_FIELDS, SPECS, as_decimal

_MISSING: Any = object()
_INDEX = re.compile(r"\[\d+\]")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_SPACE = re.compile(r"\s+")
_COORDS = (("lat", "lon"), ("latitude", "longitude"))
_EARTH_M = 6_371_008.8
KG_HINT = "1000× apart: kilograms sent as tonnes?"
GCJ_HINT = "offset typical of GCJ-02 coordinates sent as WGS-84?"


@dataclass(frozen=True)
class ResourceRules:
    """Per-resource comparison settings."""

    ignore: frozenset[str] = frozenset()
    """Paths not compared (``[*]`` for any list index); the resource's server-assigned fields are added."""
    exact: frozenset[str] = frozenset()
    """Paths compared exactly, without any tolerance."""
    normalize_text: bool | None = None
    """NFKC + whitespace collapse for strings; None takes ``Tolerances.normalize_text``."""
    keep_server_fields: bool = False
    """Compare the fields the national system assigns (national manifest number, label issue time)."""


@dataclass(frozen=True)
class Tolerances:
    """How far two copies may differ and still agree."""

    decimal_places: int = 6
    distance_m: float = 30.0
    gcj_band_m: tuple[float, float] = (300.0, 700.0)
    time_resolution_s: int = 1
    normalize_text: bool = False
    tonnes_suffix: str = "_t"
    resources: Mapping[str, ResourceRules] = field(default_factory=dict)

    def rules(self, resource: str) -> tuple[frozenset[str], frozenset[str], bool]:
        """``(ignored paths, exact paths, normalise text)`` of a resource."""
        r = self.resources.get(resource, ResourceRules())
        spec = SPECS.get(resource)
        ignore = r.ignore | META_FIELDS
        if spec is not None and not r.keep_server_fields:
            ignore |= spec.server_fields
        return ignore, r.exact, self.normalize_text if r.normalize_text is None else r.normalize_text


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(min(1.0, math.sqrt(a)))


class _Walker:
    def __init__(self, resource: str, tol: Tolerances) -> None:
        self.tol = tol
        self.ignore, self.exact, self.text = tol.rules(resource)
        self.places = Decimal(1).scaleb(-tol.decimal_places)
        self.out: list[FieldDiff] = []

    def walk(self, path: str, a: Any, b: Any) -> None:
        pattern = _INDEX.sub("[*]", path)
        if pattern in self.ignore:
            return
        if a is _MISSING:
            a = None
        if b is _MISSING:
            b = None
        if isinstance(a, dict) and isinstance(b, dict):
            done = self._coords(path, pattern, a, b)
            for k in list(a) + [k for k in b if k not in a]:
                if k not in done:
                    self.walk(f"{path}.{k}" if path else k, a.get(k, _MISSING), b.get(k, _MISSING))
        elif isinstance(a, list) and isinstance(b, list):
            for i in range(max(len(a), len(b))):
                self.walk(f"{path}[{i}]", a[i] if i < len(a) else _MISSING, b[i] if i < len(b) else _MISSING)
        elif pattern in self.exact:
            if a != b:
                self.out.append(FieldDiff(path=path, local=a, national=b, rule="exact"))
        else:
            self._leaf(path, a, b)

    def _coords(self, path: str, pattern: str, a: dict[str, Any], b: dict[str, Any]) -> tuple[str, ...]:
        for la, lo in _COORDS:
            try:
                pa = (float(a[la]), float(a[lo]))
                pb = (float(b[la]), float(b[lo]))
            except (KeyError, TypeError, ValueError):
                continue
            where = f"{path}.{la},{lo}" if path else f"{la},{lo}"
            if _INDEX.sub("[*]", where) in self.ignore:
                return la, lo
            d = distance_m(*pa, *pb)
            if d > self.tol.distance_m:
                lo_band, hi_band = self.tol.gcj_band_m
                note = GCJ_HINT if lo_band <= d <= hi_band else None
                rule = f"distance({self.tol.distance_m:g} m): {d:.0f} m apart"
                self.out.append(FieldDiff(path=where, local=list(pa), national=list(pb), rule=rule, note=note))
            return la, lo
        return ()

    def _leaf(self, path: str, a: Any, b: Any) -> None:
        if a == b and type(a) is type(b):
            return
        name = path.rsplit(".", 1)[-1]
        if name.endswith(self.tol.tonnes_suffix):
            da, db = as_decimal(a), as_decimal(b)
            if da is not None and db is not None:
                if da.quantize(self.places) == db.quantize(self.places):
                    return
                note = KG_HINT if db and da and (da == db * 1000 or db == da * 1000) else None
                rule = f"decimal({self.tol.decimal_places})"
                self.out.append(FieldDiff(path=path, local=a, national=b, rule=rule, note=note))
                return
        if isinstance(a, str) and isinstance(b, str):
            if _TIME.match(a) and _TIME.match(b):
                if self._seconds(a) == self._seconds(b):
                    return
                rule = f"time({self.tol.time_resolution_s} s)"
                self.out.append(FieldDiff(path=path, local=a, national=b, rule=rule))
                return
            if self.text:
                if _norm(a) == _norm(b):
                    return
                self.out.append(FieldDiff(path=path, local=a, national=b, rule="text(NFKC, spaces)"))
                return
        if a != b or (a is None) != (b is None):
            self.out.append(FieldDiff(path=path, local=a, national=b, rule="exact"))

    def _seconds(self, text: str) -> int:
        when = datetime.fromisoformat(text.replace("z", "Z")).astimezone(UTC)
        return math.floor(when.timestamp()) // self.tol.time_resolution_s


def _norm(s: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", s)).strip()


def diff_records(
    resource: str, local: Mapping[str, Any], national: Mapping[str, Any], tol: Tolerances
) -> list[FieldDiff]:
    """The fields in which two copies of one record differ beyond the tolerances (empty when they agree)."""
    w = _Walker(resource, tol)
    w.walk("", dict(local), dict(national))
    return w.out

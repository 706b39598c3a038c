"""The national side read through the national query API (the mock's, or a real one with the same binding).

- digests: ``GET /api/v1/digests?resource=&unit=&date=`` per bucket;
- records: the list endpoints (``GET /api/v1/ledger-records?unit=&cursor=&limit=``, likewise for
  labels, manifests and operation records), one unit at a time, keeping the wanted buckets' records
  (labels are listed by producer, ``unit`` being the producer's credit code);
- outside reconciliation: the filed operation reports (``GET /api/v1/operation-reports``, for the
  timeliness rules) and a manifest's track (``GET /api/v1/manifests/{no}/tracks``);
- national-only buckets: asked with no bucket list, the side pages through the listing (every unit in
  the key's scope, or only ``units`` when given) to find which buckets exist, then asks their digests.
  With ``discover=False`` it answers only for the buckets it is asked about, so buckets held only
  nationally go unseen; reconciliation then reports completeness of the local side only.

Each listed item carries ``updated_at``, the time the national system last wrote it (RFC 3339 with
offset); the side keeps it as the record's write time (``WRITE_TIME``), so a local copy changed after
it shows as ``stale`` rather than as a plain mismatch. It is not a contract field and is stripped before
digests and comparison.

A resource whose spec names no listing (``list_path`` None) can have its digests compared but not its
records read: ``records`` raises :class:`UnsupportedResource` and discovery skips it. Every reconciled
resource, labels included (``GET /api/v1/labels``), has a listing now.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from .model import Bucket, BucketDigest
from .resources import Record, spec_of

__all__ = ["NationalApiSide", "UnsupportedResource"]


class UnsupportedResource(NotImplementedError):
    """The national API has no listing for this resource."""


class NationalApiSide:
    """The national side over its query API; ``auth`` signs each request (``contracts.signing.SigningAuth``)."""

    def __init__(
        self,
        client: httpx.Client,
        auth: httpx.Auth,
        *,
        name: str = "national",
        units: Iterable[str] | None = None,
        discover: bool = True,
        prefix: str = "/api/v1",
        page_size: int = 500,
    ) -> None:
        self.name = name
        self.client = client
        self.auth = auth
        self.units = sorted(set(units)) if units is not None else None
        self.discover = discover
        self.prefix = prefix
        self.page_size = page_size
        self._known: dict[str, set[tuple[str, str]]] = {}
        self.requests = 0
        """HTTP requests made so far."""

    def _get(self, path: str, params: dict[str, str]) -> Any:
        self.requests += 1
        resp = self.client.get(self.prefix + path, params=params, auth=self.auth)
        resp.raise_for_status()
        return orjson.loads(resp.content)

    def _list(self, resource: str, unit: str | None) -> Iterator[Record]:
        path = spec_of(resource).list_path
        if path is None:
            raise UnsupportedResource(f"the national API has no listing of {resource}")
        return self._pages(path, unit)

    def _pages(self, path: str, unit: str | None) -> Iterator[Record]:
        cursor: str | None = None
        while True:
            params = {"limit": str(self.page_size)}
            if unit is not None:
                params["unit"] = unit
            if cursor:
                params["cursor"] = cursor
            page = self._get(path, params)
            yield from page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def _discover(self, resource: str) -> set[tuple[str, str]]:
        spec = spec_of(resource)
        found: set[tuple[str, str]] = set()
        for unit in self.units if self.units is not None else [None]:
            for rec in self._list(resource, unit):
                bucket = spec.bucket(rec)
                # A manifest is listed for each of its parties; its bucket is its shipper's.
                if unit is None or bucket[0] == unit:
                    found.add(bucket)
        return found

    def digests(self, resource: str, buckets: Iterable[Bucket] | None = None) -> Iterator[BucketDigest]:
        """Digests of the wanted buckets, or of the buckets found by paging the listing (see the module)."""
        if buckets is None:
            if not self.discover or spec_of(resource).list_path is None:
                return
            self._known[resource] = self._discover(resource)
            wanted = sorted(self._known[resource])
        else:
            wanted = sorted((b.unit, b.day.isoformat()) for b in buckets)
            known = self._known.get(resource)
            if known is not None:  # already listed: a bucket the listing did not show is empty
                wanted = [b for b in wanted if b in known and (self.units is None or b[0] in self.units)]
        for unit, day in wanted:
            if unit == "?":
                continue
            body = self._get("/digests", {"resource": resource, "unit": unit, "date": day})
            bucket = Bucket(resource=resource, unit=unit, day=date.fromisoformat(day))
            yield BucketDigest(bucket=bucket, count=int(body["count"]), sha256=str(body["sha256"]))

    def operation_reports(self) -> Iterator[Record]:
        """The filed monthly and annual operation reports (``GET /operation-reports``), of ``units`` when given."""
        for unit in self.units if self.units is not None else [None]:
            yield from self._pages("/operation-reports", unit)

    def track(self, manifest_no: str) -> list[Record]:
        """The track points of one national manifest (``GET /manifests/{no}/tracks``), in recorded order."""
        return list(self._pages(f"/manifests/{quote(manifest_no, safe='')}/tracks", None))

    def records(self, resource: str, buckets: Iterable[Bucket]) -> Iterator[Record]:
        """Records of these buckets in natural-key order, listed one unit at a time."""
        spec = spec_of(resource)
        wanted = {(b.unit, b.day.isoformat()) for b in buckets}
        for unit in sorted({u for u, _ in wanted}):
            chosen = [(spec.natural_key(r), r) for r in self._list(resource, unit) if spec.bucket(r) in wanted]
            chosen.sort(key=lambda kr: kr[0])
            for _, rec in chosen:
                yield rec
